#pragma once

#include "config/config.h"
#include "observe/bodystore.h"
#include "observe/capturedbodies.h"

#include <QNetworkAccessManager>
#include <QObject>
#include <QSslCertificate>

#include <functional>
#include <memory>

namespace Switchyard {

// The gateway's captured bodies (capture.bodies, issue 22): the store beside the trace journal,
// opened when capture is on or a store is there to read, with its retention; the reads the admin
// API and the console ask for; and replays. A replay sends a kept request again through the
// gateway's own listener, pinned to one route by naming it as the model (SPEC §4), so it is a
// request like any other: guarded, routed, classified, traced. Engine thread.
class BodyCaptures final : public QObject {
    Q_OBJECT
public:
    explicit BodyCaptures(QObject *parent = nullptr);
    ~BodyCaptures() override;

    // The settings that run, and the journal the store sits beside (a new journal, a new store).
    void configure(const CaptureSettings &settings, const QString &journalPath);
    // Where the gateway's own listener is, for replays: HOST (a wildcard means loopback), PORT,
    // and the certificate it serves when it speaks TLS (trusted for this call, and only it).
    void setListener(
        const QString &host, quint16 port, const QList<QSslCertificate> &certificate = {});

    void record(UnredactedCapture &&capture);
    void read(const QString &traceId, BodyStore::BodiesRead done);
    using Replayed = std::function<void(const ReplayResult &result)>;
    void replay(const QString &traceId, const QString &route, Replayed done);
    qint64 dropped() const { return m_store ? m_store->dropped() : 0; }
    // Blocks until every capture so far is written.
    void flush();

private:
    void send(const CapturedBodies &bodies, const QString &route, Replayed done);

    CaptureSettings m_settings;
    std::unique_ptr<BodyStore> m_store;
    QString m_storePath;
    QString m_listenHost;
    quint16 m_listenPort = 0;
    // The listener's own certificate when it speaks TLS (a list, empty for plain HTTP: a default
    // QSslCertificate would load the TLS library into every gateway).
    QList<QSslCertificate> m_certificate;
    QNetworkAccessManager *m_network = nullptr; // made with the first replay
};

} // namespace Switchyard
