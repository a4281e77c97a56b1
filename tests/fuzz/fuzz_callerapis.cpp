// libFuzzer target: the inbound APIs (Anthropic Messages, OpenAI Responses) as the gateway reads
// and writes them. The first byte picks the API and the direction: a request read as chat
// completions, a chat answer or error written in the API's shape, or a chat stream (or a native
// stream) cut where the second byte says. Properties, not just no crash: what a request becomes
// is a chat request the router accepts or refuses with a reason, and every event written for a
// caller is one SSE event whose data is a JSON object.
#include "http/ssescanner.h"
#include "routing/requestanalysis.h"
#include "translate/callerprotocol.h"
#include "translate/openaistream.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>

namespace {

using namespace Switchyard;

void checkEvents(const QByteArray &sse)
{
    SseScanner scanner;
    for (const SseScanner::Event &event : scanner.feed(sse)) {
        if (event.data == "[DONE]")
            continue;
        if (!QJsonDocument::fromJson(event.data).isObject())
            __builtin_trap();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const CallerProtocol *protocol = CallerProtocol::forPath(
        data[0] & 1 ? QStringLiteral("/v1/responses") : QStringLiteral("/v1/messages"));
    const QByteArray input(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));
    switch ((data[0] >> 1) % 4) {
    case 0: {
        const CallerRequest request = protocol->toChat(QJsonDocument::fromJson(input).object());
        if (!request.error.isEmpty())
            break;
        const QByteArray chat = QJsonDocument(request.chat).toJson(QJsonDocument::Compact);
        const RequestAnalysis analysis = RequestAnalysis::analyze(Endpoint::ChatCompletions, chat);
        if (!analysis.valid && analysis.error.isEmpty())
            __builtin_trap();
        break;
    }
    case 1: {
        QString error;
        const QByteArray answer = protocol->fromChatResponse(input, &error);
        if (answer.isEmpty() ? error.isEmpty() : !QJsonDocument::fromJson(answer).isObject())
            __builtin_trap();
        if (!QJsonDocument::fromJson(protocol->fromChatError(500, input)).isObject()
            && protocol->name() == QLatin1String("messages"))
            __builtin_trap();
        break;
    }
    case 2:
    case 3: {
        const bool native = (data[0] >> 1) % 4 == 3;
        std::unique_ptr<StreamTranslator> translator = native
            ? protocol->nativeTranslator()->streamTranslator(false)
            : protocol->fromChatStream(openAiStreamPassThrough(false));
        SseScanner scanner;
        scanner.setKeepRaw(translator->needsRawEvents());
        const qsizetype cut = input.isEmpty() ? 0 : data[1] % (input.size() + 1);
        QByteArray out = translator->translate(scanner.feed(input.first(cut)));
        out += translator->translate(scanner.feed(input.sliced(cut)));
        if (translator->finalChunkSeen() && !translator->complete())
            out += translator->completeWithoutEnd();
        // A native stream is the upstream's own bytes; only what the gateway writes is checked.
        if (!native)
            checkEvents(out);
        checkEvents(translator->failureEvent(QStringLiteral("broke \"here\"\n")));
        break;
    }
    }
    return 0;
}
