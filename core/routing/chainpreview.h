#pragma once

#include "config/config.h"
#include "observe/trace.h"
#include "routing/routesnapshot.h"

#include <QHash>
#include <QList>
#include <QStringList>

namespace Switchyard {

// What an edited chain would have done with requests that really came (issue 19's what-if): each
// request's shape (the capabilities it needed, its size, stream or not; never its text) run
// through the chain and degraded route against the routes' states as they are now. It shows which
// route would serve each request, which it would skip and why, and what it would cost. A
// prediction, not a replay: it sends nothing anywhere.
struct ChainPreview {
    struct Skip {
        QString route;
        QString why; // "lacks tools", "context window 8000 < 12000 tokens", "open", …
        bool operator==(const Skip &other) const = default;
    };
    struct Row {
        QString id;
        qint64 atMs = 0;
        unsigned needs = 0;
        qint64 estimatedTokens = 0;
        bool stream = false;
        QString servedBy; // what answered it then
        QString wouldServe; // empty: no route of the edited chain could
        bool byDegraded = false; // the edited chain's degraded route
        QList<Skip> skipped;
        double costThen = 0.0; // what it cost
        double costNow = 0.0; // what its tokens would cost on wouldServe
        bool operator==(const Row &other) const = default;
    };

    QList<Row> rows; // newest first
    int elsewhere = 0; // served by another route than then
    int unserved = 0; // no route could serve
    double costThen = 0.0;
    double costNow = 0.0;

    // The newest `most` requests of `lane` among `traces` (any order); a caller's own mistakes are
    // left out: no chain would have changed them.
    static ChainPreview run(const QList<TraceRecord> &traces, const QString &lane,
        const Config &config, const QStringList &chain, const QString &degraded,
        const QHash<QString, RouteSnapshot> &routes, int most = 200);
    // Why `route` would not take a request of this shape now; empty when it would.
    static QString whyNot(const RouteConfig &route, const RouteSnapshot *state, unsigned needs,
        qint64 estimatedTokens);
};

} // namespace Switchyard
