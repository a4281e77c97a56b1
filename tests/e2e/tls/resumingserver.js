// An HTTPS server for tst_http1 that resumes TLS sessions as real servers do (TLS 1.3 session
// tickets), which no Qt 6.4 server does: each of its sockets has an OpenSSL context, and so ticket
// keys, of its own. Every answer says whether its connection's handshake resumed a session
// ("resumed" or "new") and closes the connection, so each request needs a handshake of its own.
// Prints its port on the first line. Usage: node resumingserver.js CERT KEY [TLS-VERSION], where
// TLS-VERSION is TLSv1.3 (the default) or TLSv1.2, the only one the server then speaks.
'use strict';
const fs = require('fs');
const https = require('https');

const [cert, key, version = 'TLSv1.3'] = process.argv.slice(2);
const server = https.createServer({
    cert: fs.readFileSync(cert),
    key: fs.readFileSync(key),
    minVersion: version,
    maxVersion: version,
}, (req, res) => {
    req.resume();
    req.on('end', () => {
        const body = req.socket.isSessionReused() ? 'resumed' : 'new';
        res.writeHead(200, {
            'content-type': 'text/plain',
            'content-length': body.length,
            connection: 'close',
        });
        res.end(body);
    });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
