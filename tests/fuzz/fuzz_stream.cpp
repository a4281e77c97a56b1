// libFuzzer target: an upstream's stream on its way to the caller. The relay (OpenAI pass-through,
// with and without usage stripping, or the Anthropic translation), then the splice of a
// continuation over what went out. The first byte picks the translator and the second how the
// rest is cut. Nothing may crash, and nothing held may outgrow the cap.
#include "proxy/streamcontinuation.h"
#include "proxy/streamrelay.h"
#include "translate/anthropicstream.h"
#include "translate/openaistream.h"

#include <cstddef>
#include <cstdint>

using namespace Switchyard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    constexpr qint64 Cap = 4096;
    const int kind = data[0] % 3;
    const qsizetype piece = 1 + data[1] % 64;
    const QByteArrayView stream(reinterpret_cast<const char *>(data) + 2, qsizetype(size) - 2);

    StreamRelay::Options options;
    options.maxEventBytes = Cap;
    options.holdErrorEvents = data[0] & 0x80;
    options.translator = kind == 2 ? anthropicStreamTranslator(data[0] & 0x40)
                                   : openAiStreamPassThrough(kind == 1);
    StreamRelay relay(std::move(options));
    StreamTranscript transcript(Cap);
    QByteArray sent;
    for (qsizetype at = 0; at < stream.size(); at += piece) {
        const StreamRelay::Step step
            = relay.feed(stream.sliced(at, qMin(piece, stream.size() - at)).toByteArray());
        if (step.kind == StreamRelay::Step::Kind::Overflow
            || step.kind == StreamRelay::Step::Kind::BadStart)
            break;
        if (step.kind == StreamRelay::Step::Kind::Commit) {
            relay.markCommitted();
            sent += relay.takePending();
        } else {
            sent += step.bytes;
        }
        if (step.kind == StreamRelay::Step::Kind::ErrorEvent || step.complete)
            break;
    }
    relay.judgeEnd(TransportError::None, QString());
    transcript.record(sent);

    // The same bytes as a continuation of what went out, both ways.
    for (StreamSplice::Mode mode : { StreamSplice::Mode::Prefill, StreamSplice::Mode::Restart }) {
        StreamSplice splice(transcript, mode, Cap, QStringLiteral(" "));
        for (qsizetype at = 0; at < sent.size(); at += piece)
            splice.rewrite(sent.mid(at, piece));
    }
    return 0;
}
