#pragma once

#include "config/config.h"
#include "http/ssescanner.h"
#include "translate/providertranslator.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace Switchyard {

// What of a stream has reached the caller, read back from the OpenAI chunks written: the answer's
// id, model and creation time, its text, and whether a tool call had begun (which no prefill can
// carry on). Kept only on lanes that may continue a stream.
class StreamTranscript final {
public:
    // Past this much text a prefill is no longer sensible (and memory would grow with an endless
    // stream): the transcript stops, and the stream is not continued.
    static constexpr qsizetype MaxTextChars = 1'000'000;

    explicit StreamTranscript(qint64 maxEventBytes);
    void record(const QByteArray &openAiSse);
    // A tool call under way, or too much text: nothing another route can take over.
    bool continuable() const { return !m_toolCallStarted && !m_tooLong; }
    const QString &text() const { return m_text; }
    bool toolCallStarted() const { return m_toolCallStarted; }
    // Copied out of the chunks (a QJsonValue of a parsed document does not outlive it).
    const QString &id() const { return m_id; }
    const QString &model() const { return m_model; }
    qint64 created() const { return m_created; } // -1: not said

private:
    SseScanner m_scanner;
    QString m_text;
    bool m_toolCallStarted = false;
    bool m_tooLong = false;
    bool m_sawChunk = false;
    QString m_id;
    QString m_model;
    qint64 m_created = -1;
};

// A continuation's OpenAI chunks, rewritten to go on with the caller's stream: the same id, model
// and creation time, no second role, and only what follows the text already sent. Prefilled, the
// new text follows on directly (less any whitespace the prefill had to lose at its end); restarted,
// the new answer must first repeat the text already sent verbatim, and a new answer that does not
// cannot be spliced (diverged()).
class StreamSplice final {
public:
    enum class Mode { Prefill, Restart };

    StreamSplice(const StreamTranscript &sent, Mode mode, qint64 maxEventBytes,
        QString trimmedFromPrefill = {});

    // What the caller gets of these bytes; empty once diverged.
    QByteArray rewrite(const QByteArray &openAiSse);
    bool diverged() const { return !m_divergence.isEmpty(); }
    const QString &divergence() const { return m_divergence; }

private:
    QString followingText(const QString &content);

    SseScanner m_scanner;
    Mode m_mode;
    QString m_sent; // restarting: the text the new answer must repeat first
    qsizetype m_matched = 0;
    QString m_trimmed; // prefilled: whitespace the prefill lost, which the continuation may repeat
    qsizetype m_trimmedMatched = 0;
    QString m_id;
    QString m_model;
    qint64 m_created;
    QString m_divergence;
};

// How one route continues a stream the caller has part of: with a prefill where the lane allows
// it and the route takes one, else anew. What it is sent, and the splice its answer goes through.
struct ContinuationCall {
    StreamSplice::Mode mode = StreamSplice::Mode::Restart;
    QByteArray body; // prefilled: the OpenAI request it is sent (empty: the caller's own)
    std::optional<TranslatedRequest> translated; // prefilled, for a provider with a translator
    std::optional<StreamSplice> splice;
};
ContinuationCall prepareContinuation(const StreamTranscript &sent, Continuation laneMode,
    const RouteConfig &route, const QJsonObject &request, const ProviderTranslator *translator,
    const QByteArray &key, qint64 maxEventBytes);

// The text a prefill carries: `sent` without trailing whitespace (Anthropic refuses a prefill that
// ends with it); what was cut goes to StreamSplice.
QString prefillText(const QString &sent, QString *trimmed);

} // namespace Switchyard
