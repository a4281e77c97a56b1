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

} // namespace Switchyard
