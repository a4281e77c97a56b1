// libFuzzer target: a caller's request body as the proxy reads it (analysis, then the model
// rewrite and the usage request added on the way upstream). Properties, not just no crash: a body
// accepted for routing is forwarded as JSON naming exactly the route's model.
#include "routing/requestanalysis.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace Switchyard;
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    for (const Endpoint endpoint : { Endpoint::ChatCompletions, Endpoint::Embeddings }) {
        const RequestAnalysis analysis = RequestAnalysis::analyze(endpoint, body);
        if (!analysis.valid)
            continue;
        const QString model = QStringLiteral("route-\"model\\u0000");
        const QByteArray forwarded = replaceTopLevelModel(body, model);
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(forwarded, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject())
            __builtin_trap();
        if (document.object().value(QLatin1String("model")).toString() != model)
            __builtin_trap();
        if (!analysis.hasStreamOptions) {
            const QByteArray withUsage = withStreamUsage(forwarded);
            if (QJsonDocument::fromJson(withUsage, &error).isNull())
                __builtin_trap();
        }
    }
    return 0;
}
