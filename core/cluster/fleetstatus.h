#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>

namespace Switchyard {

// This instance's part in a fleet (issue 18), as the console and /admin/state show it.
struct FleetStatus {
    bool enabled = false; // false: the gateway runs alone
    QString instance;
    bool connected = false;
    QString problem; // why Redis cannot be reached
    QStringList instances; // alive, by name, this one included

    bool operator==(const FleetStatus &other) const = default;
};

} // namespace Switchyard

Q_DECLARE_METATYPE(Switchyard::FleetStatus)
