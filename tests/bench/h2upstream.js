// The streaming upstream of bench_h2, over TLS, speaking HTTP/2 and HTTP/1.1 alike (ALPN picks):
// every request is answered with a server-sent-events stream of CHUNKS events, the first at once,
// then one every INTERVAL ms, each carrying the monotonic time it was written ("T<ns>"), which
// the client's clock shares. Node's http2 module, because no Debian-packaged Qt 6.4 server speaks
// HTTP/2. Prints its port on the first line; a line "stats" on stdin is answered with the TLS
// connections accepted so far and how many of them resumed a session. A request for .../flood is
// answered with 64 MiB of events as fast as the client takes them. Usage: node h2upstream.js CERT KEY CHUNKS INTERVAL
'use strict';
const fs = require('fs');
const http2 = require('http2');
const readline = require('readline');

const [cert, key, chunks, interval] = process.argv.slice(2);
const chunkCount = Number(chunks);
const intervalNs = BigInt(Number(interval) * 1e6);
let connections = 0;
let resumed = 0;

function send(res, sent, dueNs) {
    const now = process.hrtime.bigint();
    if (dueNs > now) {
        setTimeout(() => send(res, sent, dueNs), Number((dueNs - now) / 1000000n));
        return;
    }
    if (res.destroyed || res.writableEnded)
        return;
    res.write('data: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":0,"model":"m",'
        + `"choices":[{"index":0,"delta":{"content":"T${process.hrtime.bigint()}"},`
        + '"finish_reason":null}]}\n\n');
    if (sent + 1 < chunkCount) {
        send(res, sent + 1, dueNs + intervalNs);
        return;
    }
    res.end('data: [DONE]\n\n');
}

const server = http2.createSecureServer({
    cert: fs.readFileSync(cert),
    key: fs.readFileSync(key),
    allowHTTP1: true,
}, (req, res) => {
    req.resume();
    req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        if (req.url.endsWith('/flood'))
            flood(res, 64 * 1024 * 1024);
        else
            send(res, 0, process.hrtime.bigint());
    });
});

// As fast as the client's flow control lets it, up to `bytes`: what a client that stopped
// reading ends up holding.
function flood(res, bytes) {
    const event = Buffer.from(`data: ${'x'.repeat(16 * 1024 - 8)}\n\n`);
    let sent = 0;
    const pump = () => {
        while (sent < bytes && !res.destroyed) {
            sent += event.length;
            if (!res.write(event)) {
                res.once('drain', pump);
                return;
            }
        }
        res.end();
    };
    pump();
}
server.on('secureConnection', (socket) => {
    ++connections;
    if (socket.isSessionReused())
        ++resumed;
});
server.listen(0, '127.0.0.1', 8192, () => console.log(server.address().port));

readline.createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'stats')
        console.log(`connections ${connections} resumed ${resumed}`);
});
process.stdin.on('end', () => process.exit(0));
