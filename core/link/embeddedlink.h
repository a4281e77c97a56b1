#pragma once

#include "link/gatewaylink.h"

namespace Switchyard {

class ConfigController;
class Engine;

// The console's link to the engine in its own process: the engine's signals passed on as they
// are, commands queued to its thread, and config edits run through the ConfigController that
// keeps the file.
class EmbeddedLink final : public GatewayLink {
    Q_OBJECT
public:
    EmbeddedLink(Engine *engine, ConfigController *config, QObject *parent = nullptr);

    QString address() const override { return m_address; }
    QJsonObject configJson() const override;
    const Config &config() const override;
    QString configLocation() const override;
    void proposeConfig(const QJsonObject &json, QObject *context, Done done) override;
    void submit(const Switchyard::RouteCommand &command) override;
    void testProvider(const QString &provider) override;
    void reloadSecrets() override;
    void findTrace(const QString &id, QObject *context, TraceFound done) override;
    void readIncident(qint64 fromMs, qint64 toMs, QObject *context, IncidentRead done) override;
    void readBodies(const QString &traceId, QObject *context, BodiesRead done) override;
    void replay(
        const QString &traceId, const QString &route, QObject *context, Replayed done) override;
    bool readsThisKeychain() const override { return true; }

private:
    Engine *m_engine;
    ConfigController *m_config;
    QString m_address;
};

} // namespace Switchyard
