#pragma once

#include "observe/costledger.h"
#include "observe/incidentreport.h"
#include "observe/trace.h"
#include "routing/breaker.h"

#include <QObject>
#include <QSet>

#include <optional>

namespace Switchyard {

struct TraceQuery {
    int limit = 50;
    QString lane;
    QString route;
    QString failureClass;
};

// The trace store's reader: a database connection of its own on a thread of its own, so that a
// slow read (a long history, a database busy with a write batch) never holds up the engine
// thread that serves requests. Every method but the constructor runs in the reader's thread.
class TraceReader final : public QObject {
    Q_OBJECT
public:
    explicit TraceReader(QString path);
    ~TraceReader() override;

    bool open(QString *error);

    // Newest first, at most `limit`, without the traces named in `skip` (already found in
    // memory).
    QList<TraceRecord> query(const TraceQuery &filter, const QSet<QString> &skip) const;
    std::optional<TraceRecord> find(const QString &id) const;
    QList<StateEvent> recentEvents(int limit) const;
    // Feeds `builder` the stored traces that started in its range, oldest first, but those in
    // `skip`, and the stored events of its range that happened before `eventsBeforeMs`.
    void readIncident(
        IncidentReportBuilder *builder, const QSet<QString> &skip, qint64 eventsBeforeMs) const;
    QList<CostPoint> spendSince(qint64 utcMs) const;

private:
    QString m_path;
    QString m_connection;
    bool m_open = false;
};

} // namespace Switchyard
