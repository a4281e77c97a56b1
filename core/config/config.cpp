#include "config/config.h"

#include <QCryptographicHash>
#include <QThread>

namespace Switchyard {

QByteArray ProviderTls::digestOf(const QList<QSslCertificate> &certificates)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const QSslCertificate &certificate : certificates)
        hash.addData(certificate.digest(QCryptographicHash::Sha256));
    return hash.result();
}

QString AlertSettings::eventName(Event event)
{
    switch (event) {
    case Event::BreakerOpened:
        return QStringLiteral("breaker_opened");
    case Event::LaneDegraded:
        return QStringLiteral("lane_degraded");
    case Event::LaneWithoutRoute:
        return QStringLiteral("lane_without_route");
    case Event::SpendCap:
        return QStringLiteral("spend_cap");
    }
    return QString();
}

std::optional<AlertSettings::Event> AlertSettings::parseEvent(const QString &name)
{
    for (Event event :
        { Event::BreakerOpened, Event::LaneDegraded, Event::LaneWithoutRoute, Event::SpendCap }) {
        if (eventName(event) == name)
            return event;
    }
    return std::nullopt;
}

QString SecretRef::describe() const
{
    switch (source) {
    case Source::Environment:
        return QStringLiteral("environment variable %1").arg(name);
    case Source::Keychain:
        return QStringLiteral("keychain entry '%1'").arg(name);
    case Source::None:
        break;
    }
    return QStringLiteral("no secret");
}

const QList<Capability> &allCapabilities()
{
    static const QList<Capability> all { Capability::Tools, Capability::Json, Capability::Vision,
        Capability::Stream, Capability::Embeddings, Capability::Prefill, Capability::Responses };
    return all;
}

QString capabilityName(Capability capability)
{
    switch (capability) {
    case Capability::Tools:
        return QStringLiteral("tools");
    case Capability::Json:
        return QStringLiteral("json");
    case Capability::Vision:
        return QStringLiteral("vision");
    case Capability::Stream:
        return QStringLiteral("stream");
    case Capability::Embeddings:
        return QStringLiteral("embeddings");
    case Capability::Prefill:
        return QStringLiteral("prefill");
    case Capability::Responses:
        return QStringLiteral("responses");
    case Capability::None:
        break;
    }
    return QString();
}

QString captureModeName(CaptureMode mode)
{
    switch (mode) {
    case CaptureMode::Off:
        return QStringLiteral("off");
    case CaptureMode::Errors:
        return QStringLiteral("errors");
    case CaptureMode::All:
        return QStringLiteral("all");
    }
    return QString();
}

QString continuationName(Continuation continuation)
{
    switch (continuation) {
    case Continuation::Off:
        return QStringLiteral("off");
    case Continuation::Prefill:
        return QStringLiteral("prefill");
    case Continuation::Restart:
        return QStringLiteral("restart");
    }
    return QString();
}

QStringList capabilityNames(Capabilities capabilities)
{
    QStringList names;
    for (Capability capability : allCapabilities()) {
        if (capabilities & unsigned(capability))
            names.append(capabilityName(capability));
    }
    return names;
}

int Config::effectiveWorkers() const
{
    // One per core, within a bound: each thread opens upstream connections of its own, and a
    // many-core host should not open a pool per core unasked.
    constexpr int MostByDefault = 16;
    return workers > 0 ? workers : qBound(1, QThread::idealThreadCount(), MostByDefault);
}

QString Config::listenAddress() const
{
    if (listenHost.contains(QLatin1Char(':')))
        return QStringLiteral("[%1]:%2").arg(listenHost).arg(listenPort);
    return QStringLiteral("%1:%2").arg(listenHost).arg(listenPort);
}

bool Config::listensOnLoopbackOnly() const
{
    return isLoopbackHost(listenHost);
}

bool isLoopbackHost(const QString &host)
{
    return host == QLatin1String("localhost") || QHostAddress(host).isLoopback();
}

QStringList logLevelNames()
{
    return { QStringLiteral("error"), QStringLiteral("warning"), QStringLiteral("info"),
        QStringLiteral("debug") };
}

bool parseListenAddress(const QString &text, QString *host, quint16 *port)
{
    QString hostPart;
    QString portPart;
    if (text.startsWith(QLatin1Char('['))) {
        const qsizetype close = text.indexOf(QLatin1String("]:"));
        if (close < 0)
            return false;
        hostPart = text.mid(1, close - 1);
        portPart = text.mid(close + 2);
    } else {
        const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
        if (colon <= 0 || text.indexOf(QLatin1Char(':')) != colon)
            return false;
        hostPart = text.left(colon);
        portPart = text.mid(colon + 1);
    }
    bool ok = false;
    const uint value = portPart.toUInt(&ok);
    if (!ok || value > 65535 || hostPart.isEmpty())
        return false;
    if (hostPart != QLatin1String("localhost") && QHostAddress(hostPart).isNull())
        return false;
    *host = hostPart;
    *port = quint16(value);
    return true;
}

} // namespace Switchyard
