#pragma once

#include "observe/redactor.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QPair>
#include <QRegularExpression>
#include <QString>

#include <optional>

namespace Switchyard {

// One body as kept: its first capture.max_bytes, redacted, and how long it really was.
struct CapturedBody {
    QByteArray data;
    qint64 size = 0; // as it went over the wire, before anything was cut or blanked
    bool cut = false; // `data` ends where capture.max_bytes did

    bool isEmpty() const { return size == 0; }
    // Keeps what fits of `bytes` in `limit`, counting all of it.
    void append(const QByteArray &bytes, qint64 limit);
};

using CapturedHeaders = QList<QPair<QString, QString>>;

// What one upstream attempt was sent (after translation for its provider) and what it answered.
struct CapturedAttempt {
    int index = -1; // in the trace's attempts
    QString route;
    QString url;
    CapturedHeaders headers; // credentials blanked
    CapturedBody sent;
    int status = 0;
    CapturedBody received; // a stream's events as they came, a whole answer as it came
};

// A request's bodies (issue 22): what the caller sent, and each attempt's, kept beside its trace
// when capture.bodies asks for them. Never holds a key: take() blanks them before it is kept.
struct CapturedBodies {
    QString traceId;
    qint64 capturedAtUtcMs = 0;
    QString api; // the caller's API (TraceRecord::endpoint)
    CapturedHeaders callerHeaders; // the API's own headers a replay sends again (anthropic-version)
    CapturedBody request;
    QList<CapturedAttempt> attempts;

    const CapturedAttempt *attempt(int index) const;
    // The gateway path the caller's API is served at; empty for an API that cannot be replayed.
    QString path() const;
    // Why the captured request cannot be sent again as it was; empty when it can.
    QString replayRefusal() const;
    // The caller's request with its model replaced, pinning it to `route`.
    QByteArray requestFor(const QString &route) const;

    QJsonObject toJson() const;
    static std::optional<CapturedBodies> fromJson(const QJsonObject &json);
};

// What the replay of a captured request on one route came to (Replay on…).
struct ReplayResult {
    QString error; // why it was not sent or not answered; empty when an answer came
    bool sent = false; // it reached the gateway's listener (`error`: the answer broke off)
    bool noBodies = false; // nothing was kept of the trace to send
    QString route;
    QString traceId; // the replay's own trace (X-Switchyard-Request-Id)
    int status = 0;
    QByteArray body; // the answer in the caller's API (a stream's events as they came), bounded
    bool cut = false; // the answer was longer than a replay keeps (ReplayKeptBytes)

    QJsonObject toJson() const;
    static ReplayResult fromJson(const QJsonObject &json);
};

// Of a replay's answer, kept at most.
constexpr qint64 ReplayKeptBytes = 1024 * 1024;

// Blanks what must never be kept from every body, URL and header of `bodies`: the gateway's keys
// and tokens wherever they appear (`redactor`), credential headers and anything shaped like a
// credential, JSON fields named like one, and the matches of capture.redact (`patterns`). Then
// cuts each body to `maxBytes`; a body is collected with a margin beyond it (CaptureMargin) so
// that no secret is cut in two before it can be recognised.
// `ownKeys`: the keys the request itself sent, blanked too (a reload may have taken them from
// `redactor` since). A stream's answer whose joined text carries a credential is not kept at all,
// nor is a body a capture.redact pattern failed on (PCRE's match limit).
void redactCapture(CapturedBodies *bodies, const Redactor &redactor,
    const QList<QRegularExpression> &patterns, qint64 maxBytes,
    const QList<QByteArray> &ownKeys = {});

// A request's bodies as collected, with all it takes to redact them (a copy of the gateway's
// keys, the request's own, the patterns): handed to the body store's thread, which redacts them
// there before they are kept, so that the thread that serves requests never does.
struct UnredactedCapture {
    CapturedBodies bodies;
    Redactor redactor;
    QList<QRegularExpression> patterns;
    qint64 maxBytes = 0;
    QList<QByteArray> ownKeys;

    // The bodies' bytes, as collected: what they weigh while they wait.
    qint64 bytes() const;
    CapturedBodies redacted() &&;
};

// A header that carries a credential, whatever its value looks like (Authorization, x-api-key,
// cookies…): its value is never kept, and blanked wherever else it shows.
bool isCredentialHeader(QStringView name);

// Bytes kept beyond capture.max_bytes while a body is collected: longer than any key.
constexpr qint64 CaptureMargin = 4096;

} // namespace Switchyard

Q_DECLARE_METATYPE(Switchyard::CapturedBodies)
Q_DECLARE_METATYPE(Switchyard::ReplayResult)
