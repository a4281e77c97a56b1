#include "cluster/fleetstatus.h"

#include <QJsonArray>

#include <cmath>

namespace Switchyard {

namespace {

// What one heartbeat may carry: far more than any real gateway has, little enough that a peer
// writing nonsense into Redis cannot make every console in the fleet hold megabytes.
constexpr qsizetype MaxText = 200;
constexpr qsizetype MaxRoutes = 500;
constexpr qsizetype MaxLanes = 500;

QString bounded(const QJsonValue &value, qsizetype limit = MaxText)
{
    return value.toString().left(limit);
}

} // namespace

QJsonObject FleetMember::toJson() const
{
    QJsonObject routes;
    for (auto it = routeStates.cbegin(); it != routeStates.cend(); ++it)
        routes.insert(it.key(), breakerStateName(it.value()));
    QJsonObject json { { QStringLiteral("instance"), instance },
        { QStringLiteral("address"), address }, { QStringLiteral("version"), version },
        { QStringLiteral("seen_ms"), double(seenMs) }, { QStringLiteral("alive"), alive },
        { QStringLiteral("ready"), ready() },
        { QStringLiteral("lanes_without_route"), QJsonArray::fromStringList(lanesWithoutRoute) },
        { QStringLiteral("routes"), routes },
        { QStringLiteral("spent_today_usd"), spentTodayUsd } };
    if (!lastAnswer.isEmpty()) {
        json.insert(QStringLiteral("last_answer"), lastAnswer);
        json.insert(QStringLiteral("answer_pending"), answerPending);
    }
    return json;
}

FleetMember FleetMember::fromJson(const QJsonObject &json)
{
    FleetMember member;
    member.instance = bounded(json.value(u"instance"));
    member.address = bounded(json.value(u"address"));
    member.version = bounded(json.value(u"version"));
    const double seen = json.value(u"seen_ms").toDouble();
    member.seenMs = std::isfinite(seen) && seen > 0 && seen < 1e15 ? qint64(seen) : 0;
    member.alive = json.value(u"alive").toBool();
    const QJsonArray lanes = json.value(u"lanes_without_route").toArray();
    for (qsizetype i = 0; i < std::min(lanes.size(), MaxLanes); ++i)
        member.lanesWithoutRoute.append(bounded(lanes.at(i)));
    const QJsonObject routes = json.value(u"routes").toObject();
    for (auto it = routes.begin(); it != routes.end() && member.routeStates.size() < MaxRoutes;
         ++it) {
        if (const auto state = parseBreakerState(it.value().toString()))
            member.routeStates.insert(it.key().left(MaxText), *state);
    }
    const double spent = json.value(u"spent_today_usd").toDouble();
    member.spentTodayUsd = std::isfinite(spent) && spent > 0 ? spent : 0;
    member.lastAnswer = bounded(json.value(u"last_answer"), 2 * MaxText);
    member.answerPending = json.value(u"answer_pending").toBool();
    return member;
}

} // namespace Switchyard
