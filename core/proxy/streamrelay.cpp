#include "proxy/streamrelay.h"

#include "translate/openaistream.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Switchyard {

namespace {

// An upstream's error inside a 2xx stream, as an object with an "error" member for the
// classifier: OpenAI's {"error": …}, Anthropic's {"type": "error", "error": …}, and the Responses
// API's {"type": "error", "code": …} and {"type": "response.failed", "response": {"error": …}}.
// Parsed only when the text names one.
std::optional<QByteArray> errorOf(const SseScanner::Event &event)
{
    if (event.comment || event.data == "[DONE]" || !event.data.contains("error")
        || !event.data.contains("\""))
        return std::nullopt;
    const QJsonObject object = QJsonDocument::fromJson(event.data).object();
    if (object.contains(QLatin1String("error")))
        return event.data;
    const QString type = object.value(QLatin1String("type")).toString();
    QJsonObject error;
    if (type == QLatin1String("error"))
        error = object;
    else if (type == QLatin1String("response.failed"))
        error = object.value(QLatin1String("response"))
                    .toObject()
                    .value(QLatin1String("error"))
                    .toObject();
    else
        return std::nullopt;
    return QJsonDocument(QJsonObject { { QStringLiteral("error"), error } })
        .toJson(QJsonDocument::Compact);
}

bool isErrorEvent(const SseScanner::Event &event)
{
    return errorOf(event).has_value();
}

} // namespace

StreamRelay::StreamRelay(Options options)
    : m_maxEventBytes(options.maxEventBytes)
    , m_holdErrorEvents(options.holdErrorEvents)
    , m_translator(
          options.translator ? std::move(options.translator) : openAiStreamPassThrough(false))
{
    m_scanner.setMaxEventBytes(m_maxEventBytes);
    m_scanner.setKeepRaw(m_translator->needsRawEvents());
}

std::optional<Classification> StreamRelay::badStart(const QList<SseScanner::Event> &events)
{
    for (const SseScanner::Event &event : events) {
        if (event.comment || event.data == "[DONE]")
            continue;
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(event.data, &parseError);
        if (parseError.error != QJsonParseError::NoError || !document.isObject())
            return Classification { FailureClass::ContractViolation, -1,
                QStringLiteral("stream event is not a JSON object") };
        if (const std::optional<QByteArray> error = errorOf(event))
            return Classifier::classifyStreamError(*error);
    }
    return std::nullopt;
}

Classification StreamRelay::usageVerdict() const
{
    if (!usageInvalid())
        return {};
    return { FailureClass::ContractViolation, -1,
        QStringLiteral("usage reports an impossible token count (negative, fractional or beyond "
                       "%1); not counted")
            .arg(MaxReportedTokens) };
}

StreamRelay::Step StreamRelay::feed(const QByteArray &data)
{
    Step step;
    QList<SseScanner::Event> events = m_scanner.feed(data);
    if (m_committed && m_holdErrorEvents) {
        for (qsizetype i = 0; i < events.size(); ++i) {
            const SseScanner::Event &event = events.at(i);
            if (isErrorEvent(event)) {
                step.kind = Step::Kind::ErrorEvent;
                step.classification = Classifier::classifyStreamError(*errorOf(event));
                events.resize(i);
                step.bytes = m_translator->translate(events);
                if (complete()) { // the end went through first: the answer is whole
                    step.kind = Step::Kind::Continue;
                    step.complete = true;
                }
                return step;
            }
        }
    }
    const QByteArray bytes
        = m_scanner.overflowed() ? QByteArray() : m_translator->translate(events);
    // Nothing is sent before the first content, so what is held back is bounded like one event
    // (checked after this read is taken in, whatever its size).
    if (m_scanner.overflowed()
        || (!m_committed && m_pending.size() + bytes.size() > m_maxEventBytes)) {
        m_pending = QByteArray();
        step.kind = Step::Kind::Overflow;
        step.reason = QStringLiteral("upstream stream event larger than %1 bytes "
                                     "(limits.max_event_bytes)")
                          .arg(m_maxEventBytes);
        return step;
    }
    if (m_committed) {
        step.bytes = bytes;
        if (complete() && !m_errorEventSent) {
            step.complete = true;
            return step;
        }
        for (const SseScanner::Event &event : events) {
            if (isErrorEvent(event)) {
                // The upstream's own error event reached the caller as it was sent.
                m_errorEventSent = true;
                step.upstreamErrorEvent = true;
            }
        }
        return step;
    }
    // Before the first content goes out, every event is checked so that a bad start can still
    // fail over.
    m_pending.append(bytes);
    if (const std::optional<Classification> bad = badStart(events)) {
        step.kind = Step::Kind::BadStart;
        step.classification = *bad;
        return step;
    }
    if (m_translator->sawContent()) {
        step.kind = Step::Kind::Commit;
        step.complete = complete();
    } else if (complete()) {
        step.kind = Step::Kind::BadStart;
        step.classification = { FailureClass::ContractViolation, -1,
            QStringLiteral("stream ended without any content") };
    }
    return step;
}

StreamRelay::End StreamRelay::judgeEnd(TransportError transport, const QString &transportDetail)
{
    End end;
    if (m_committed) {
        // The caller has the final chunk: however the connection ends now, the answer is whole.
        if ((transport == TransportError::None || m_translator->finalChunkSeen())
            && !m_errorEventSent) {
            if (!complete() && m_translator->finalChunkSeen())
                end.closing
                    = m_translator->completeWithoutEnd(); // several providers send no [DONE]
            if (complete()) {
                end.kind = End::Kind::Clean;
                return end;
            }
        }
        end.kind = End::Kind::Broken;
        end.reason = transport != TransportError::None
            ? transportDetail
            : QStringLiteral("upstream closed the stream before its final chunk");
        return end;
    }
    if (transport != TransportError::None)
        return end; // Unjudged
    end.kind = End::Kind::BadStart;
    end.classification = { FailureClass::ContractViolation, -1,
        m_scanner.eventCount() > 0 ? QStringLiteral("stream ended without any content")
                                   : QStringLiteral("stream ended before its first event") };
    return end;
}

} // namespace Switchyard
