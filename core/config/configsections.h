#pragma once

#include "config/config.h"
#include "config/jsonreader.h"

namespace Switchyard {

// One entry of each section of the config document (SPEC §3), read with its JSON path; what is
// wrong goes into the reader's errors. Cross-references between sections are checked after.
ProviderConfig readProvider(JsonReader &reader, const QString &name, const QJsonValue &value);
RouteConfig readRoute(JsonReader &reader, const QString &name, const QJsonValue &value);
LaneConfig readLane(JsonReader &reader, const QString &name, const QJsonValue &value);

} // namespace Switchyard
