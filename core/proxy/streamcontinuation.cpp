#include "proxy/streamcontinuation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Switchyard {

StreamTranscript::StreamTranscript(qint64 maxEventBytes)
{
    m_scanner.setMaxEventBytes(maxEventBytes);
}

void StreamTranscript::record(const QByteArray &openAiSse)
{
    if (m_tooLong)
        return;
    const QList<SseScanner::Event> events = m_scanner.feed(openAiSse);
    if (m_scanner.overflowed()) {
        m_tooLong = true;
        m_text = QString();
        return;
    }
    for (const SseScanner::Event &event : events) {
        if (event.data == "[DONE]")
            continue;
        const QJsonObject chunk = QJsonDocument::fromJson(event.data).object();
        if (!m_sawChunk && chunk.contains(QLatin1String("id"))) {
            m_sawChunk = true;
            m_id = chunk.value(QLatin1String("id")).toString();
            m_model = chunk.value(QLatin1String("model")).toString();
            m_created = chunk.value(QLatin1String("created")).toInteger(-1);
        }
        for (const QJsonValue &choice : chunk.value(QLatin1String("choices")).toArray()) {
            const QJsonObject delta = choice.toObject().value(QLatin1String("delta")).toObject();
            m_text += delta.value(QLatin1String("content")).toString();
            if (!delta.value(QLatin1String("tool_calls")).toArray().isEmpty())
                m_toolCallStarted = true;
        }
        if (m_text.size() > MaxTextChars) {
            m_tooLong = true;
            m_text = QString();
            return;
        }
    }
}

ContinuationCall prepareContinuation(const StreamTranscript &sent, Continuation laneMode,
    const RouteConfig &route, const QJsonObject &request, const ProviderTranslator *translator,
    const QByteArray &key, qint64 maxEventBytes)
{
    ContinuationCall call;
    if (laneMode != Continuation::Prefill
        || !(route.capabilities & unsigned(Capability::Prefill))) {
        call.splice.emplace(sent, StreamSplice::Mode::Restart, maxEventBytes);
        return call; // a route that takes no prefill is never sent one
    }
    call.mode = StreamSplice::Mode::Prefill;
    QString trimmed;
    QJsonObject assistant { { QStringLiteral("role"), QStringLiteral("assistant") },
        { QStringLiteral("content"), prefillText(sent.text(), &trimmed) } };
    // DeepSeek's and Mistral's way of saying "continue this message"; Anthropic needs no mark.
    if (!translator)
        assistant.insert(QStringLiteral("prefix"), true);
    QJsonObject prefilled = request;
    QJsonArray messages = request.value(QLatin1String("messages")).toArray();
    messages.append(assistant);
    prefilled.insert(QStringLiteral("messages"), messages);
    if (translator)
        call.translated = translator->translateRequest(prefilled, route, key);
    else
        call.body = QJsonDocument(prefilled).toJson(QJsonDocument::Compact);
    call.splice.emplace(sent, StreamSplice::Mode::Prefill, maxEventBytes, trimmed);
    return call;
}

QString prefillText(const QString &sent, QString *trimmed)
{
    qsizetype end = sent.size();
    while (end > 0 && sent.at(end - 1).isSpace())
        --end;
    *trimmed = sent.mid(end);
    return sent.left(end);
}

StreamSplice::StreamSplice(
    const StreamTranscript &sent, Mode mode, qint64 maxEventBytes, QString trimmedFromPrefill)
    : m_mode(mode)
    , m_sent(mode == Mode::Restart ? sent.text() : QString())
    , m_trimmed(std::move(trimmedFromPrefill))
    , m_id(sent.id())
    , m_model(sent.model())
    , m_created(sent.created())
{
    m_scanner.setMaxEventBytes(maxEventBytes);
}

QString StreamSplice::followingText(const QString &content)
{
    if (m_mode == Mode::Prefill) {
        // The prefill lost its trailing whitespace; the continuation may well begin with it.
        qsizetype skip = 0;
        while (skip < content.size() && m_trimmedMatched < m_trimmed.size()
            && content.at(skip) == m_trimmed.at(m_trimmedMatched)) {
            ++m_trimmedMatched;
            ++skip;
        }
        if (!content.isEmpty())
            m_trimmedMatched = m_trimmed.size(); // only where the new text starts
        return content.mid(skip);
    }
    const qsizetype overlap = qMin(content.size(), m_sent.size() - m_matched);
    if (overlap > 0) {
        if (QStringView(content).first(overlap) != QStringView(m_sent).sliced(m_matched, overlap)) {
            m_divergence = QStringLiteral("the new answer does not repeat the %1 characters "
                                          "already sent")
                               .arg(m_sent.size());
            return QString();
        }
        m_matched += overlap;
    }
    return content.mid(overlap);
}

QByteArray StreamSplice::rewrite(const QByteArray &openAiSse)
{
    QByteArray out;
    const QList<SseScanner::Event> events = m_scanner.feed(openAiSse);
    if (m_scanner.overflowed()) {
        m_divergence = QStringLiteral("a continuation event larger than limits.max_event_bytes");
        return QByteArray();
    }
    for (const SseScanner::Event &event : events) {
        if (diverged())
            return QByteArray();
        if (event.data == "[DONE]") {
            out += "data: [DONE]\n\n";
            continue;
        }
        QJsonObject chunk = QJsonDocument::fromJson(event.data).object();
        if (chunk.contains(QLatin1String("error"))) {
            out += "data: " + event.data + "\n\n";
            continue;
        }
        // The caller's answer keeps its id, and what it said of its model and time.
        if (!m_id.isEmpty())
            chunk.insert(QStringLiteral("id"), m_id);
        if (!m_model.isEmpty() && chunk.contains(QLatin1String("model")))
            chunk.insert(QStringLiteral("model"), m_model);
        if (m_created >= 0 && chunk.contains(QLatin1String("created")))
            chunk.insert(QStringLiteral("created"), m_created);
        QJsonArray choices = chunk.value(QLatin1String("choices")).toArray();
        bool carries = chunk.value(QLatin1String("usage")).isObject();
        for (qsizetype i = 0; i < choices.size(); ++i) {
            QJsonObject choice = choices.at(i).toObject();
            QJsonObject delta = choice.value(QLatin1String("delta")).toObject();
            delta.remove(QLatin1String("role")); // the caller has its role already
            const QJsonValue content = delta.value(QLatin1String("content"));
            if (content.isString()) {
                const QString following = followingText(content.toString());
                if (diverged())
                    return QByteArray();
                if (following.isEmpty())
                    delta.remove(QLatin1String("content"));
                else
                    delta.insert(QStringLiteral("content"), following);
            } else if (content.isNull()) {
                delta.remove(QLatin1String("content"));
            }
            // Anything else (a tool call) is new once the text already sent has been repeated.
            const bool restartedTextPending = m_mode == Mode::Restart && m_matched < m_sent.size();
            if (restartedTextPending)
                delta.remove(QLatin1String("tool_calls"));
            if (restartedTextPending && choice.value(QLatin1String("finish_reason")).isString()) {
                m_divergence = QStringLiteral("the new answer ended before repeating the %1 "
                                              "characters already sent")
                                   .arg(m_sent.size());
                return QByteArray();
            }
            carries = carries || !delta.isEmpty()
                || choice.value(QLatin1String("finish_reason")).isString();
            choice.insert(QStringLiteral("delta"), delta);
            choices.replace(i, choice);
        }
        if (!carries)
            continue; // nothing left for the caller: a role, or text it has already
        chunk.insert(QStringLiteral("choices"), choices);
        out += "data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact) + "\n\n";
    }
    return out;
}

} // namespace Switchyard
