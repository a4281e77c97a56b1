#pragma once

#include "config/config.h"

#include <QStringList>

namespace Switchyard {

// Where a fallback in `chain` cannot honour what the lane's first route does: capabilities it
// lacks (tools, JSON, vision, stream), a smaller context window, or a price more than 3× higher.
// Unknown routes are named too. One human-readable line per finding.
QStringList chainWarnings(const Config &config, const QStringList &chain, const QString &degraded);

} // namespace Switchyard
