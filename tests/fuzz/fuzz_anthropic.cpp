// libFuzzer target: the Anthropic translator both ways. The first byte picks the direction: a
// caller's OpenAI request, an upstream's Messages answer or error, or an upstream's event stream.
#include "config/config.h"
#include "http/ssescanner.h"
#include "translate/providertranslator.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace Switchyard;
    if (size == 0)
        return 0;
    const ProviderTranslator *translator = ProviderTranslator::forKind(QStringLiteral("anthropic"));
    if (!translator)
        __builtin_trap();
    const QByteArray input(reinterpret_cast<const char *>(data) + 1, qsizetype(size) - 1);
    switch (data[0] % 4) {
    case 0: {
        RouteConfig route;
        route.name = QStringLiteral("fuzz");
        route.model = QStringLiteral("claude-fuzz");
        const QJsonObject request = QJsonDocument::fromJson(input).object();
        const TranslatedRequest translated
            = translator->translateRequest(request, route, QByteArrayLiteral("sk-fuzz"));
        if (translated.incompatible.isEmpty() && QJsonDocument::fromJson(translated.body).isNull())
            __builtin_trap();
        break;
    }
    case 1: {
        QString error;
        const QByteArray answer = translator->translateResponse(input, &error);
        if (!answer.isEmpty() && QJsonDocument::fromJson(answer).isNull())
            __builtin_trap();
        if (answer.isEmpty() && error.isEmpty())
            __builtin_trap();
        break;
    }
    case 2:
        translator->translateError(input);
        break;
    default: {
        SseScanner scanner;
        scanner.setMaxEventBytes(64 * 1024);
        const std::unique_ptr<StreamTranslator> stream = translator->streamTranslator(data[0] & 4);
        const qsizetype piece = 1 + (data[0] >> 3);
        for (qsizetype at = 0; at < input.size(); at += piece)
            stream->translate(
                scanner.feed(QByteArrayView(input).sliced(at, qMin(piece, input.size() - at))));
        // Token counts from an upstream never go negative past "unknown".
        if (stream->tokensIn() < -1 || stream->tokensOut() < -1)
            __builtin_trap();
        break;
    }
    }
    return 0;
}
