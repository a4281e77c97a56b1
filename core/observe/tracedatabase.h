#pragma once

#include "observe/trace.h"
#include "routing/breaker.h"

#include <QString>

class QSqlQuery;

// The trace database's plumbing, shared by the store's writer and reader threads: each thread
// opens a connection of its own (Qt's SQL connections belong to one thread), in WAL mode so that
// reads never wait for a write batch.
namespace Switchyard::TraceDatabase {

constexpr int SchemaVersion = 5;

bool openConnection(const QString &name, const QString &path, QString *error);
void closeConnection(const QString &name);
// A fresh, unique connection name with `role` in it.
QString connectionName(const QString &role);
// Brings a database at any older schema version up to SchemaVersion.
bool migrate(const QString &connectionName, QString *error);
// A row of the events table: at, route, from_state, to_state, reason, by_operator, kind.
StateEvent eventFrom(const QSqlQuery &row);

} // namespace Switchyard::TraceDatabase
