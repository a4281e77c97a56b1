#pragma once

#include <QByteArray>
#include <QSettings>
#include <QString>

namespace Switchyard {

// The console's preferences and window layout, typed. The routing config is the JSON file,
// never these settings, and no secret is ever stored here.
class ConsoleSettings final {
public:
    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray &state);
    QString currentView() const;
    void setCurrentView(const QString &view);

private:
    QSettings m_settings;
};

} // namespace Switchyard
