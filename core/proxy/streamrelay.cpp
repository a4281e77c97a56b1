#include "proxy/streamrelay.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace Switchyard {

StreamRelay::StreamRelay(Options options)
    : m_options(std::move(options))
{
    m_scanner.setMaxEventBytes(m_options.maxEventBytes);
}

bool StreamRelay::complete() const
{
    return m_options.translator ? m_options.translator->complete() : m_scanner.sawDone();
}

QByteArray StreamRelay::forwardable(const QByteArray &data, const QList<SseScanner::Event> &events)
{
    if (StreamTranslator *translator = m_options.translator.get()) {
        const QByteArray out = translator->translate(events);
        m_tokensIn = translator->tokensIn();
        m_tokensOut = translator->tokensOut();
        return out;
    }
    for (const SseScanner::Event &event : events) {
        if (event.data.contains("\"usage\":{") || event.data.contains("\"usage\": {")) {
            const QJsonObject chunk = QJsonDocument::fromJson(event.data).object();
            if (readUsage(chunk, &m_tokensIn, &m_tokensOut) == UsageRead::Invalid)
                m_usageInvalid = true;
        }
    }
    if (!m_options.stripInjectedUsage) {
        // Untouched, byte for byte, but only whole events: should the stream fail, our error event
        // must not be glued onto half of one. (The scanner keeps no raw bytes, and comments and
        // keep-alives, which pass through too, are no event to it; hence this boundary search.)
        m_rawPending.append(data);
        qsizetype end
            = qMax(m_rawPending.lastIndexOf("\n\n"), m_rawPending.lastIndexOf("\r\n\r\n"));
        if (end < 0)
            return QByteArray();
        end += m_rawPending.at(end) == '\r' ? 4 : 2;
        const QByteArray whole = m_rawPending.left(end);
        m_rawPending.remove(0, end);
        return whole;
    }
    QByteArray out;
    for (const SseScanner::Event &event : events) {
        QByteArray payload = event.data;
        if (payload != "[DONE]") {
            const QJsonObject chunk = QJsonDocument::fromJson(payload).object();
            if (chunk.value(QLatin1String("usage")).isObject()
                && chunk.value(QLatin1String("choices")).toArray().isEmpty())
                continue; // the usage-only chunk
            payload.replace(",\"usage\":null", "");
            payload.replace("\"usage\":null,", "");
        }
        if (!event.event.isEmpty())
            out += "event: " + event.event + '\n';
        out += "data: " + payload + "\n\n";
    }
    return out;
}

StreamRelay::End StreamRelay::judgeEnd(
    TransportError transport, const QString &transportDetail) const
{
    End end;
    if (m_committed) {
        if (transport == TransportError::None && complete() && !m_errorEventSent) {
            end.kind = End::Kind::Clean;
            return end;
        }
        end.kind = End::Kind::Broken;
        end.reason = transport != TransportError::None
            ? transportDetail
            : QStringLiteral("upstream closed the stream before [DONE]");
        return end;
    }
    if (transport != TransportError::None)
        return end; // Unjudged
    end.kind = End::Kind::BadStart;
    end.classification = { FailureClass::ContractViolation, -1,
        sawDone() ? QStringLiteral("stream ended with no events")
                  : QStringLiteral("stream ended before its first event") };
    return end;
}

StreamRelay::Step StreamRelay::feed(const QByteArray &data)
{
    Step step;
    const QList<SseScanner::Event> events = m_scanner.feed(data);
    const qint64 maxEventBytes = m_options.maxEventBytes;
    const QByteArray bytes = m_scanner.overflowed() ? QByteArray() : forwardable(data, events);
    // Comments and keep-alives are no event to the scanner but are held for pass-through, and
    // nothing is sent before the first real event: both are bounded like one event (checked
    // after this read is taken in, whatever its size).
    if (m_scanner.overflowed() || m_rawPending.size() > maxEventBytes
        || (!m_committed && m_pending.size() + bytes.size() > maxEventBytes)) {
        m_rawPending = QByteArray();
        m_pending = QByteArray();
        step.kind = Step::Kind::Overflow;
        step.reason = QStringLiteral("upstream stream event larger than %1 bytes "
                                     "(limits.max_event_bytes)")
                          .arg(maxEventBytes);
        return step;
    }
    if (m_committed) {
        step.bytes = bytes;
        if (complete() && !m_errorEventSent) {
            step.complete = true;
            return step;
        }
        for (const SseScanner::Event &event : events) {
            if (event.data != "[DONE]" && event.data.contains("\"error\"")
                && QJsonDocument::fromJson(event.data).object().contains(QLatin1String("error"))) {
                // The upstream's own error event reached the caller as it was sent.
                m_errorEventSent = true;
                step.upstreamErrorEvent = true;
            }
        }
        return step;
    }
    // Before the first byte goes out, every event is checked so that a bad start can still fail
    // over.
    m_pending.append(bytes);
    for (const SseScanner::Event &event : events) {
        if (event.data == "[DONE]")
            continue;
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(event.data, &parseError);
        const bool malformed = parseError.error != QJsonParseError::NoError || !document.isObject();
        if (malformed || document.object().contains(QLatin1String("error"))) {
            step.kind = Step::Kind::BadStart;
            step.classification = malformed ? Classification { FailureClass::ContractViolation, -1,
                QStringLiteral("stream event is not a JSON object") }
                                            : Classifier::classifyStreamError(event.data);
            return step;
        }
    }
    // Commit on the first real event; a stream of nothing but [DONE] is no answer.
    m_sawContent = m_sawContent
        || std::any_of(events.cbegin(), events.cend(),
            [](const SseScanner::Event &e) { return e.data != "[DONE]"; });
    if (m_sawContent) {
        step.kind = Step::Kind::Commit;
        step.complete = complete();
    }
    return step;
}

} // namespace Switchyard
