#include "consolesettings.h"

namespace Switchyard {

QByteArray ConsoleSettings::windowGeometry() const
{
    return m_settings.value(QStringLiteral("window/geometry")).toByteArray();
}

void ConsoleSettings::setWindowGeometry(const QByteArray &geometry)
{
    m_settings.setValue(QStringLiteral("window/geometry"), geometry);
}

QByteArray ConsoleSettings::windowState() const
{
    return m_settings.value(QStringLiteral("window/state")).toByteArray();
}

void ConsoleSettings::setWindowState(const QByteArray &state)
{
    m_settings.setValue(QStringLiteral("window/state"), state);
}

QString ConsoleSettings::currentView() const
{
    return m_settings.value(QStringLiteral("window/view"), QStringLiteral("routesView")).toString();
}

void ConsoleSettings::setCurrentView(const QString &view)
{
    m_settings.setValue(QStringLiteral("window/view"), view);
}

QStringList ConsoleSettings::rememberedGateways() const
{
    return m_settings.value(QStringLiteral("gateways/remembered")).toStringList();
}

void ConsoleSettings::rememberGateway(const QString &url)
{
    constexpr qsizetype Kept = 10;
    QStringList gateways = rememberedGateways();
    gateways.removeAll(url);
    gateways.prepend(url);
    m_settings.setValue(QStringLiteral("gateways/remembered"), gateways.mid(0, Kept));
}

} // namespace Switchyard
