#pragma once

#include "observe/costledger.h"

#include <QAbstractTableModel>
#include <QMap>
#include <QStringList>

namespace Switchyard {

// Spend over time for the Cost view: one row per time bucket, one column per route, and a last
// column with the part of each bucket's spend that only fallback caused. The range decides the
// bucket size; points older than the longest range are dropped.
class CostSeriesModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum class Range { FifteenMinutes, OneHour, OneDay };
    enum Role { ValueRole = Qt::UserRole, BucketStartRole };

    explicit CostSeriesModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void addPoints(const QList<CostPoint> &points);
    // Forgets every minute (until the next refresh shows it); for a replaced history.
    void clear() { m_minutes.clear(); }
    // Wall-clock time is the caller's to give, here as in refresh(), so tests can fix it.
    void setRange(Range range, qint64 nowUtcMs);
    Range range() const { return m_range; }
    // Rebuilds the buckets for the current time; the view calls it on a timer so the window slides.
    void refresh(qint64 nowUtcMs);

    QStringList routes() const { return m_routes; }
    int fallbackColumn() const { return int(m_routes.size()); }
    double total() const;
    double fallbackTotal() const;
    double routeTotal(const QString &route) const;
    // Tokens in the range, cached prompt tokens apart (they are part of `in`).
    struct Tokens {
        qint64 in = 0;
        qint64 out = 0;
        qint64 cacheRead = 0;
        qint64 cacheWrite = 0;
    };
    Tokens tokens() const { return m_tokens; }
    qint64 bucketMs() const;

private:
    qint64 spanMs() const;

    Range m_range = Range::OneHour;
    QMap<qint64, QList<CostPoint>> m_minutes;
    QStringList m_routes;
    qint64 m_windowStartMs = 0;
    QList<QList<double>> m_buckets; // [bucket][route..., fallback]
    Tokens m_tokens;
};

} // namespace Switchyard
