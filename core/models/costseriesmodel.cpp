#include "models/costseriesmodel.h"

#include <QDateTime>

namespace Switchyard {

namespace {

constexpr qint64 MinuteMs = 60000;
constexpr qint64 KeptMs = 25 * 60 * MinuteMs;

} // namespace

CostSeriesModel::CostSeriesModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int CostSeriesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_buckets.size());
}

int CostSeriesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_routes.size()) + 1;
}

QVariant CostSeriesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const double value = m_buckets.at(index.row()).at(index.column());
    if (role == ValueRole)
        return value;
    if (role == BucketStartRole)
        return m_windowStartMs + index.row() * bucketMs();
    if (role == Qt::DisplayRole)
        return QStringLiteral("$%1").arg(value, 0, 'f', 4);
    return {};
}

QVariant CostSeriesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Horizontal)
        return section < m_routes.size() ? m_routes.at(section) : tr("caused by fallback");
    return QDateTime::fromMSecsSinceEpoch(m_windowStartMs + section * bucketMs())
        .toLocalTime()
        .toString(QStringLiteral("HH:mm"));
}

qint64 CostSeriesModel::spanMs() const
{
    switch (m_range) {
    case Range::FifteenMinutes:
        return 15 * MinuteMs;
    case Range::OneHour:
        return 60 * MinuteMs;
    case Range::OneDay:
        return 24 * 60 * MinuteMs;
    }
    return 60 * MinuteMs;
}

qint64 CostSeriesModel::bucketMs() const
{
    switch (m_range) {
    case Range::FifteenMinutes:
        return MinuteMs;
    case Range::OneHour:
        return 2 * MinuteMs;
    case Range::OneDay:
        return 30 * MinuteMs;
    }
    return MinuteMs;
}

void CostSeriesModel::addPoints(const QList<CostPoint> &points)
{
    for (const CostPoint &point : points)
        m_minutes[point.minuteUtcMs].append(point);
}

void CostSeriesModel::setRange(Range range, qint64 nowUtcMs)
{
    m_range = range;
    refresh(nowUtcMs);
}

void CostSeriesModel::refresh(qint64 nowUtcMs)
{
    while (!m_minutes.isEmpty() && m_minutes.firstKey() < nowUtcMs - KeptMs)
        m_minutes.erase(m_minutes.begin());
    const qint64 bucket = bucketMs();
    const qint64 end = nowUtcMs - nowUtcMs % bucket + bucket;
    const qint64 start = end - spanMs();
    QStringList routes;
    for (auto it = m_minutes.lowerBound(start); it != m_minutes.cend(); ++it) {
        for (const CostPoint &point : it.value()) {
            if (!routes.contains(point.route))
                routes.append(point.route);
        }
    }
    routes.sort();
    QList<QList<double>> buckets(int(spanMs() / bucket), QList<double>(routes.size() + 1, 0.0));
    Tokens tokens;
    for (auto it = m_minutes.lowerBound(start); it != m_minutes.cend() && it.key() < end; ++it) {
        const int row = int((it.key() - start) / bucket);
        for (const CostPoint &point : it.value()) {
            buckets[row][routes.indexOf(point.route)] += point.costUsd;
            buckets[row][routes.size()] += point.fallbackCostUsd;
            tokens.in += point.tokensIn;
            tokens.out += point.tokensOut;
            tokens.cacheRead += point.cacheReadTokens;
            tokens.cacheWrite += point.cacheWriteTokens;
        }
    }
    // A reset here is once per refresh tick (seconds), not per event: the buckets all shift.
    beginResetModel();
    m_routes = routes;
    m_windowStartMs = start;
    m_buckets = buckets;
    m_tokens = tokens;
    endResetModel();
}

double CostSeriesModel::total() const
{
    double sum = 0;
    for (const QList<double> &row : m_buckets) {
        for (int column = 0; column < m_routes.size(); ++column)
            sum += row.at(column);
    }
    return sum;
}

double CostSeriesModel::fallbackTotal() const
{
    double sum = 0;
    for (const QList<double> &row : m_buckets)
        sum += row.constLast();
    return sum;
}

double CostSeriesModel::routeTotal(const QString &route) const
{
    const int column = int(m_routes.indexOf(route));
    if (column < 0)
        return 0;
    double sum = 0;
    for (const QList<double> &row : m_buckets)
        sum += row.at(column);
    return sum;
}

} // namespace Switchyard
