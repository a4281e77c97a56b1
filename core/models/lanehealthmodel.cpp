#include "models/lanehealthmodel.h"

#include <QDateTime>

namespace Switchyard {

namespace {

QString whyText(LaneHealth::Unavailable::Why why)
{
    using Why = LaneHealth::Unavailable::Why;
    switch (why) {
    case Why::Open:
        return LaneHealthModel::tr("open");
    case Why::HalfOpen:
        return LaneHealthModel::tr("half-open (trial calls only)");
    case Why::Drained:
        return LaneHealthModel::tr("drained");
    case Why::Drilling:
        return LaneHealthModel::tr("in a drill");
    case Why::Misconfigured:
        return LaneHealthModel::tr("misconfigured");
    case Why::RateLimited:
        return LaneHealthModel::tr("rate-limited");
    }
    return {};
}

// "a is open, b is drained"
QString unavailableText(const QList<LaneHealth::Unavailable> &routes)
{
    QStringList parts;
    for (const LaneHealth::Unavailable &route : routes)
        //: a route and why it cannot serve, "gpt-4o is open"
        parts.append(LaneHealthModel::tr("%1 is %2").arg(route.route, whyText(route.why)));
    return parts.join(QLatin1String(", "));
}

QString clockTime(qint64 utcMs)
{
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(utcMs);
    return at.date() == QDate::currentDate() ? at.toString(QStringLiteral("HH:mm:ss"))
                                             : at.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString dollars(double usd)
{
    if (usd == 0.0)
        return QStringLiteral("$0");
    const QString sign = usd < 0 ? QStringLiteral("−") : QString();
    const double amount = qAbs(usd);
    return sign + QLatin1Char('$') + QString::number(amount, 'f', amount < 0.01 ? 4 : 2);
}

} // namespace

LaneHealthModel::LaneHealthModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int LaneHealthModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LaneHealthModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString LaneHealthModel::levelText(LaneHealth::Level level)
{
    switch (level) {
    case LaneHealth::Level::Healthy:
        //: a lane served by its primary route
        return tr("Healthy");
    case LaneHealth::Level::FallingBack:
        //: a lane served by a later route of its chain
        return tr("Falling back");
    case LaneHealth::Level::Degraded:
        //: a lane served only by its degraded (last resort) route
        return tr("Degraded");
    case LaneHealth::Level::NoRoute:
        //: a lane that nothing can serve
        return tr("No route");
    }
    return {};
}

QString LaneHealthModel::summaryText(const LaneHealth &health)
{
    switch (health.level) {
    case LaneHealth::Level::Healthy: {
        QString text = tr("Served by its primary, %1.").arg(health.servedBy);
        if (health.fellBack > 0)
            text += QLatin1Char(' ')
                + tr("%1 of its last %2 requests fell back.")
                      .arg(health.fellBack)
                      .arg(health.requests);
        if (health.failed > 0)
            text += QLatin1Char(' ')
                + tr("%1 of its last %2 requests failed.").arg(health.failed).arg(health.requests);
        return text;
    }
    case LaneHealth::Level::FallingBack: {
        QString text;
        if (health.servedShare < 1.0) {
            const int percent = qRound(100 * health.servedShare);
            text = health.restTo.isEmpty()
                ? tr("%1 is recovering and takes %2% of traffic; nothing else can take the rest.")
                      .arg(health.servedBy)
                      .arg(percent)
                : tr("%1 is recovering and takes %2% of traffic; the rest goes to %3.")
                      .arg(health.servedBy)
                      .arg(percent)
                      .arg(health.restTo);
            if (!health.unavailable.isEmpty())
                text = unavailableText(health.unavailable) + QLatin1String("; ") + text;
            return text;
        }
        text = tr("%1; traffic goes to %2")
                   .arg(unavailableText(health.unavailable), health.servedBy);
        if (health.costFactor >= 0)
            text += tr(" at %1× the primary's price").arg(health.costFactor, 0, 'f', 1);
        return text + QLatin1Char('.');
    }
    case LaneHealth::Level::Degraded:
        return tr("No route of the chain can serve (%1); the degraded route %2 answers.")
            .arg(unavailableText(health.unavailable), health.servedBy);
    case LaneHealth::Level::NoRoute:
        return tr("Nothing can serve this lane (%1): requests fail, or go to the route whose "
                  "cooldown ends soonest.")
            .arg(unavailableText(health.unavailable));
    }
    return {};
}

QVariant LaneHealthModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const LaneHealth &health = m_rows.at(index.row());
    if (role == LevelRole)
        return index.column() == Health ? QVariant::fromValue(health.level) : QVariant();
    if (role == SortRole) {
        switch (index.column()) {
        case Health:
            return int(health.level);
        case Since:
            return health.sinceUtcMs;
        case FellBack:
            return health.requests ? double(health.fellBack) / health.requests : -1.0;
        case CostFactor:
            return health.costFactor;
        case ExtraCost:
            return health.extraUsd;
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (index.column()) {
        case FellBack:
            return tr("Of the lane's requests that ended in the last %n minute(s): those answered "
                      "by a route other than their first choice.",
                nullptr, int(LaneHealthTracker::ShareWindowMs / 60000));
        case CostFactor:
            return tr("The serving route's price against the primary's, for this lane's recent "
                      "mix of prompt and answer tokens.");
        case ExtraCost:
            return tr("Spent by fallback in the last hour beyond what each request's first "
                      "choice would have cost for the same tokens.");
        case Summary:
            return summaryText(health);
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Lane:
        return health.lane;
    case Health:
        return levelText(health.level);
    case ServedBy:
        return health.servedBy.isEmpty() ? tr("nothing") : health.servedBy;
    case Since:
        return health.sinceUtcMs > 0 ? clockTime(health.sinceUtcMs) : tr("start");
    case FellBack:
        if (health.requests == 0)
            return QStringLiteral("–");
        return tr("%1% of %2")
            .arg(100.0 * health.fellBack / health.requests, 0, 'f', 0)
            .arg(health.requests);
    case CostFactor:
        return health.costFactor < 0 ? QStringLiteral("–")
                                     : QStringLiteral("%1×").arg(health.costFactor, 0, 'f', 1);
    case ExtraCost:
        return dollars(health.extraUsd);
    case Summary:
        return summaryText(health);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant LaneHealthModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Lane:
        return tr("Lane");
    case Health:
        return tr("Health");
    case ServedBy:
        return tr("Served by");
    case Since:
        return tr("Since");
    case FellBack:
        return tr("Fell back (5 min)");
    case CostFactor:
        //: the serving route's price as a multiple of the primary's
        return tr("× primary's price");
    case ExtraCost:
        return tr("Extra cost (1 h)");
    case Summary:
        return tr("What is happening");
    case ColumnCount:
        break;
    }
    return {};
}

void LaneHealthModel::setConfig(const Config &config)
{
    m_tracker.setConfig(config);
}

void LaneHealthModel::setRoutes(const QList<RouteSnapshot> &routes, qint64 nowMs)
{
    m_tracker.setRoutes(routes, nowMs);
}

void LaneHealthModel::addTraces(const QList<TraceRecord> &traces, qint64 endedAtMs)
{
    for (const TraceRecord &trace : traces)
        m_tracker.addRequest(trace, endedAtMs);
}

void LaneHealthModel::clear()
{
    m_tracker.clear();
}

void LaneHealthModel::refresh(qint64 nowMs)
{
    const QList<LaneHealth> rows = m_tracker.assess(nowMs);
    const bool sameLanes = rows.size() == m_rows.size()
        && std::equal(rows.cbegin(), rows.cend(), m_rows.cbegin(),
            [](const LaneHealth &a, const LaneHealth &b) { return a.lane == b.lane; });
    if (!sameLanes) {
        // Only when the configuration's lanes changed.
        beginResetModel();
        m_rows = rows;
        endResetModel();
        return;
    }
    for (int row = 0; row < rows.size(); ++row) {
        if (rows.at(row) == m_rows.at(row))
            continue;
        m_rows[row] = rows.at(row);
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
}

} // namespace Switchyard
