#pragma once

#include "routing/breaker.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace Switchyard {

// One instance of a fleet as the others see it: what it said in its latest heartbeat.
struct FleetMember {
    QString instance;
    QString address; // where it listens, as its config says
    QString version;
    qint64 seenMs = 0; // its latest heartbeat, wall clock
    bool alive = false; // heard from within the last few heartbeats
    // Lanes where it has no route it would try (what its /readyz would answer).
    QStringList lanesWithoutRoute;
    QMap<QString, BreakerState> routeStates;
    double spentTodayUsd = 0; // its own spend of the UTC day
    // How it took the latest operator action taken on this instance ("drain of r applied").
    QString lastAnswer;
    bool answerPending = false; // that action was sent, and it has not answered yet

    bool ready() const { return lanesWithoutRoute.isEmpty(); }
    bool operator==(const FleetMember &other) const = default;

    // Its heartbeat's form: what it says of itself, without what another instance adds.
    QJsonObject toJson() const;
    // Bounded: a peer may write anything into Redis.
    static FleetMember fromJson(const QJsonObject &json);
};

// This instance's part in a fleet (issue 18), as the console and /admin/state show it.
struct FleetStatus {
    bool enabled = false; // false: the gateway runs alone
    QString instance;
    bool connected = false;
    QString problem; // why Redis cannot be reached
    QStringList instances; // alive, by name, this one included
    // Every instance heard from lately, this one first; while Redis is unreachable only this one.
    QList<FleetMember> members;

    bool operator==(const FleetStatus &other) const = default;
};

} // namespace Switchyard

Q_DECLARE_METATYPE(Switchyard::FleetStatus)
