#include "config/configdocument.h"
#include "models/chainmodel.h"
#include "models/chainpreviewmodel.h"
#include "models/costseriesmodel.h"
#include "models/eventlistmodel.h"
#include "models/fleetmodels.h"
#include "models/keytablemodel.h"
#include "models/lanehealthmodel.h"
#include "models/providertablemodel.h"
#include "models/routetablemodel.h"
#include "models/timerangefiltermodel.h"
#include "models/tracelistmodel.h"
#include "routing/chainwarnings.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

#include "jsontext.h"

using namespace Switchyard;
using Switchyard::Testing::jsonText;

namespace {

RouteSnapshot route(const QString &name, const QString &state, double rps = 0)
{
    RouteSnapshot snapshot;
    snapshot.name = name;
    snapshot.state = parseBreakerState(state).value();
    snapshot.requestsPerSecond = rps;
    snapshot.recoveryStepCount = 3;
    return snapshot;
}

TraceRecord trace(
    const QString &id, const QString &lane, const QString &route, int status, bool fallback = false)
{
    TraceRecord record;
    record.id = id;
    record.lane = lane;
    record.route = route;
    record.status = status;
    record.fallback = fallback;
    record.finalClass = status == 200 ? FailureClass::Ok : FailureClass::Transient;
    record.startedAtUtcMs = 1700000000000;
    // Claude Code's requests in this table are the ones with a fallback.
    record.endpoint = fallback ? QStringLiteral("messages") : QStringLiteral("chat.completions");
    return record;
}

FleetMember member(const QString &name, QMap<QString, BreakerState> routes, bool alive = true)
{
    FleetMember m;
    m.instance = name;
    m.alive = alive;
    m.seenMs = 1700000000000;
    m.routeStates = std::move(routes);
    return m;
}

Config demoLikeConfig()
{
    return ConfigLoader::fromJson(jsonText(R"({'providers': {'p': {'base_url': 'http:\/\/x\/v1'}},
        'routes': {
          'big': {'provider': 'p', 'model': 'a', 'capabilities': ['tools', 'json', 'vision', 'stream'],
                  'context_window': 128000, 'price': {'input_per_mtok': 1, 'output_per_mtok': 2}},
          'twin': {'provider': 'p', 'model': 'b', 'capabilities': ['tools', 'json', 'vision', 'stream'],
                   'context_window': 128000, 'price': {'input_per_mtok': 1.2, 'output_per_mtok': 2.4}},
          'small': {'provider': 'p', 'model': 'c', 'capabilities': ['stream'], 'context_window': 8192},
          'pricey': {'provider': 'p', 'model': 'd', 'capabilities': ['tools', 'json', 'vision', 'stream'],
                     'context_window': 200000, 'price': {'input_per_mtok': 15, 'output_per_mtok': 75}}},
        'lanes': {'l': {'chain': ['big']}}})"))
        .config;
}

} // namespace

class ModelsTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void routeModelMergesSnapshotsRowByRow()
    {
        RouteTableModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshots({ route(QStringLiteral("a"), QStringLiteral("closed")),
            route(QStringLiteral("b"), QStringLiteral("closed")) });
        QCOMPARE(model.rowCount(), 2);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setSnapshots({ route(QStringLiteral("a"), QStringLiteral("closed")),
            route(QStringLiteral("b"), QStringLiteral("open")) });
        QCOMPARE(changed.size(), 1); // only the row that changed
        QCOMPARE(changed.first().first().toModelIndex().row(), 1);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(model.index(1, RouteTableModel::State).data().toString(), QStringLiteral("Open"));
        QCOMPARE(model.index(1, RouteTableModel::State)
                     .data(RouteTableModel::StateRole)
                     .value<BreakerState>(),
            BreakerState::Open);

        model.setSnapshots({ route(QStringLiteral("a"), QStringLiteral("closed")),
            route(QStringLiteral("b"), QStringLiteral("open")) });
        QCOMPARE(changed.size(), 1); // identical snapshots change nothing

        model.setSnapshots({ route(QStringLiteral("b"), QStringLiteral("open")),
            route(QStringLiteral("c"), QStringLiteral("drained")) });
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowOf(QStringLiteral("a")), -1);
        QCOMPARE(model.rowOf(QStringLiteral("c")), 1);
        QCOMPARE(reset.size(), 0);
    }

    void keyModelListsEveryKeyAndMergesRowByRow()
    {
        const auto key = [](const QString &label, KeyState state, qint64 coolingMs = 0) {
            KeySnapshot snapshot;
            snapshot.label = label;
            snapshot.ref = { SecretRef::Source::Keychain, QStringLiteral("entry-") + label };
            snapshot.state = state;
            snapshot.coolingRemainingMs = coolingMs;
            return snapshot;
        };
        ProviderSnapshot pooled;
        pooled.name = QStringLiteral("openai");
        pooled.keys = { key(QStringLiteral("team"), KeyState::Set),
            key(QStringLiteral("personal"), KeyState::Set) };
        ProviderSnapshot local;
        local.name = QStringLiteral("local"); // no key: no row
        KeyTableModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setProviders({ pooled, local });
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(
            model.index(0, KeyTableModel::Provider).data().toString(), QStringLiteral("openai"));
        QCOMPARE(model.index(1, KeyTableModel::Source).data().toString(),
            QStringLiteral("keychain entry 'entry-personal'"));
        QCOMPARE(model.index(1, 0).data(KeyTableModel::KeychainNameRole).toString(),
            QStringLiteral("entry-personal"));

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        pooled.keys[1] = key(QStringLiteral("personal"), KeyState::CoolingDown, 12000);
        model.setProviders({ pooled, local });
        QCOMPARE(changed.size(), 1); // only the key that changed
        QCOMPARE(changed.first().first().toModelIndex().row(), 1);
        QCOMPARE(model.index(1, KeyTableModel::Cooldown).data().toString(), QStringLiteral("12 s"));
        QCOMPARE(model.index(1, KeyTableModel::Cooldown).data(KeyTableModel::SortRole).toLongLong(),
            12000);
        QCOMPARE(model.index(1, KeyTableModel::State).data().toString(),
            QStringLiteral("cooling down after a rate limit"));
        model.setProviders({ pooled, local });
        QCOMPARE(changed.size(), 1); // identical snapshots change nothing

        pooled.keys.removeFirst();
        model.setProviders({ pooled, local });
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(
            model.index(0, KeyTableModel::Label).data().toString(), QStringLiteral("personal"));
        QCOMPARE(reset.size(), 0);
    }

    void routeProgressSaysWhatHappens()
    {
        RouteSnapshot open = route(QStringLiteral("a"), QStringLiteral("open"));
        open.cooldownRemainingMs = 12001;
        QCOMPARE(RouteTableModel::progressText(open), QStringLiteral("cooldown 13 s"));
        RouteSnapshot recovering = route(QStringLiteral("a"), QStringLiteral("recovering"));
        recovering.recoveryStep = 1;
        recovering.trafficShare = 0.5;
        recovering.stepRemainingMs = 4000;
        QCOMPARE(RouteTableModel::progressText(recovering),
            QStringLiteral("step 2 of 3 · 50% traffic · next in 4 s"));
    }

    void traceModelKeepsABoundedWindowNewestFirst()
    {
        TraceListModel model(5);
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.addTraces({ trace(QStringLiteral("1"), QStringLiteral("l"), QStringLiteral("r"), 200),
            trace(QStringLiteral("2"), QStringLiteral("l"), QStringLiteral("r"), 200) });
        QCOMPARE(model.trace(0).id, QStringLiteral("2"));
        QList<TraceRecord> many;
        for (int i = 3; i <= 10; ++i)
            many.append(trace(QString::number(i), QStringLiteral("l"), QStringLiteral("r"), 200));
        model.addTraces(many);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.trace(0).id, QStringLiteral("10"));
        QCOMPARE(model.trace(4).id, QStringLiteral("6"));
    }

    void traceFilterNarrowsDown()
    {
        TraceListModel model;
        TraceFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(
            &filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.addTraces(
            { trace(QStringLiteral("1"), QStringLiteral("fast"), QStringLiteral("a"), 200),
                trace(QStringLiteral("2"), QStringLiteral("fast"), QStringLiteral("b"), 200, true),
                trace(QStringLiteral("3"), QStringLiteral("strong"), QStringLiteral("b"), 502) });
        QCOMPARE(filter.rowCount(), 3);
        filter.setLane(QStringLiteral("fast"));
        QCOMPARE(filter.rowCount(), 2);
        filter.setOnlyFallbacks(true);
        QCOMPARE(filter.rowCount(), 1);
        filter.setLane(QString());
        filter.setOnlyFallbacks(false);
        filter.setOnlyErrors(true);
        QCOMPARE(filter.rowCount(), 1);
        filter.setOnlyErrors(false);
        filter.setFailureClass(QStringLiteral("transient"));
        QCOMPARE(filter.rowCount(), 1);
        filter.setFailureClass(QString());
        filter.setRoute(QStringLiteral("b"));
        QCOMPARE(filter.rowCount(), 2);
        filter.setRoute(QString());
        filter.setApi(QStringLiteral("messages"));
        QCOMPARE(filter.rowCount(), 1);
        QCOMPARE(
            filter.index(0, TraceListModel::Api).data().toString(), QStringLiteral("messages"));

        // A stream that broke after it started is stored as 200, and is an error row all the same.
        TraceRecord broken
            = trace(QStringLiteral("4"), QStringLiteral("fast"), QStringLiteral("a"), 200);
        broken.finalClass = FailureClass::Transient;
        model.addTraces({ broken });
        QCOMPARE(model.index(0, 0).data(TraceListModel::TraceRole).value<TraceRecord>().id,
            QStringLiteral("4"));
        QVERIFY(model.index(0, 0).data(TraceListModel::ErrorRole).toBool());
        QVERIFY(!model.index(3, 0).data(TraceListModel::ErrorRole).toBool()); // "1", a whole answer
        filter.setApi(QString());
        filter.setOnlyErrors(true);
        QCOMPARE(filter.rowCount(), 2);
    }

    void aDropAlwaysInsertsAndNeverLosesOrDoublesARoute()
    {
        Config config;
        for (const char *name : { "a", "b", "c", "d" }) {
            RouteConfig route;
            route.name = QString::fromLatin1(name);
            config.routes.insert(route.name, route);
        }
        ChainModel chain(true);
        ChainModel palette(false);
        QAbstractItemModelTester tester(
            &chain, QAbstractItemModelTester::FailureReportingMode::QtTest);
        chain.setRouteInfo(config, {});
        chain.setRoutes({ QStringLiteral("a"), QStringLiteral("b") });
        palette.setRoutes(config.routes.keys());
        QSignalSpy edited(&chain, &ChainModel::edited);
        const auto drop = [&chain](QMimeData *data, int row, const QModelIndex &parent) {
            std::unique_ptr<QMimeData> owned(data);
            // Done by the model itself: the view is told not to remove the dragged row after.
            QVERIFY(!chain.dropMimeData(owned.get(), Qt::MoveAction, row, 0, parent));
        };

        // From the palette, dropped ON the primary (not between items): inserted before it, the
        // primary kept (this used to replace the chain with the dropped route).
        drop(palette.mimeData({ palette.index(2) }), -1, chain.index(0));
        QCOMPARE(chain.routes(),
            (QStringList { QStringLiteral("c"), QStringLiteral("a"), QStringLiteral("b") }));
        // A route already in the chain dropped from the palette on an item moves, never doubles.
        drop(palette.mimeData({ palette.index(1) }), -1, chain.index(0));
        QCOMPARE(chain.routes(),
            (QStringList { QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("a") }));
        // Within the chain: the last one dragged between the first two; then to the very end.
        drop(chain.mimeData({ chain.index(2) }), 1, QModelIndex());
        QCOMPARE(chain.routes(),
            (QStringList { QStringLiteral("b"), QStringLiteral("a"), QStringLiteral("c") }));
        drop(chain.mimeData({ chain.index(0) }), -1, QModelIndex());
        QCOMPARE(chain.routes(),
            (QStringList { QStringLiteral("a"), QStringLiteral("c"), QStringLiteral("b") }));
        // Onto itself: nothing moves.
        drop(chain.mimeData({ chain.index(1) }), -1, chain.index(1));
        QCOMPARE(chain.routes(),
            (QStringList { QStringLiteral("a"), QStringLiteral("c"), QStringLiteral("b") }));
        // A name the configuration does not have, or another format: nothing.
        auto *stranger = new QMimeData;
        stranger->setData(QString::fromLatin1(ChainModel::MimeType), "zz\n\n");
        drop(stranger, 0, QModelIndex());
        auto *text = new QMimeData;
        text->setText(QStringLiteral("d"));
        QVERIFY(!chain.canDropMimeData(text, Qt::CopyAction, 0, 0, QModelIndex()));
        delete text;
        QCOMPARE(chain.routes(),
            (QStringList { QStringLiteral("a"), QStringLiteral("c"), QStringLiteral("b") }));
        QVERIFY(edited.count() >= 4);
        // The palette takes no drops.
        std::unique_ptr<QMimeData> fromChain(chain.mimeData({ chain.index(0) }));
        QVERIFY(!palette.canDropMimeData(fromChain.get(), Qt::MoveAction, 0, 0, QModelIndex()));

        // Each card says what the route is.
        RouteConfig rich;
        rich.name = QStringLiteral("a");
        rich.capabilities = Capabilities(Capability::Tools) | Capabilities(Capability::Stream);
        rich.contextWindow = 128000;
        rich.price.inputPerMTok = 2.5;
        rich.price.outputPerMTok = 10;
        QCOMPARE(ChainModel::detailOf(rich),
            QStringLiteral("$2.50 / $10.00 per MTok · 128k context · tools · stream"));
        RouteSnapshot open;
        open.name = QStringLiteral("a");
        open.state = BreakerState::Open;
        chain.setRouteInfo(config, { { QStringLiteral("a"), open } });
        QCOMPARE(
            chain.index(0).data(ChainModel::StateRole).value<BreakerState>(), BreakerState::Open);
        QVERIFY(!chain.index(1).data(ChainModel::StateRole).isValid());
        QCOMPARE(chain.index(2).data(ChainModel::PositionRole).toInt(), 3);
    }

    void whatIfRunsRecentRequestsThroughTheEditedChain()
    {
        // Two routes: a cheap one without tools, a dear one with them; a third, open.
        Config config;
        const auto addRoute = [&config](const QString &name, Capabilities capabilities,
                                  double price, qint64 context) {
            RouteConfig route;
            route.name = name;
            route.capabilities = capabilities;
            route.price.inputPerMTok = route.price.outputPerMTok = price;
            route.contextWindow = context;
            config.routes.insert(name, route);
        };
        addRoute(QStringLiteral("cheap"), Capabilities(Capability::Stream), 1.0, 8000);
        addRoute(QStringLiteral("dear"),
            Capabilities(Capability::Tools) | Capabilities(Capability::Stream), 10.0, 0);
        addRoute(QStringLiteral("down"), Capabilities(Capability::Tools), 0.5, 0);
        RouteSnapshot down;
        down.name = QStringLiteral("down");
        down.state = BreakerState::Open;

        // Three requests the lane served on "dear": a plain one, one with tools, a long one; each
        // recorded by its shape, and kept through the store's JSON.
        QList<TraceRecord> traces;
        const QList<std::tuple<QString, unsigned, qint64>> shapes { { QStringLiteral("plain"), 0u,
                                                                        500 },
            { QStringLiteral("tools"), unsigned(Capability::Tools), 500 },
            { QStringLiteral("long"), 0u, 20000 } };
        qint64 at = 1000;
        for (const auto &[id, needs, tokens] : shapes) {
            TraceRecord record = trace(id, QStringLiteral("main"), QStringLiteral("dear"), 200);
            record.needs = needs;
            record.estimatedTokens = tokens;
            record.startedAtUtcMs = at++;
            record.tokensIn = 1000000;
            record.costUsd = 10.0;
            record.attempts.append(AttemptRecord { .route = QStringLiteral("dear") });
            traces.append(TraceRecord::fromJson(record.toJson()));
        }
        traces.append(trace(
            QStringLiteral("other"), QStringLiteral("elsewhere"), QStringLiteral("dear"), 200));
        QCOMPARE(traces.first().needs, unsigned(Capability::Tools) * 0);
        QCOMPARE(traces.at(1).needs, unsigned(Capability::Tools));
        QCOMPARE(traces.at(2).estimatedTokens, qint64(20000));

        // The edited chain: the open one first, then the cheap one, then the dear one.
        const ChainPreview preview = ChainPreview::run(traces, QStringLiteral("main"), config,
            { QStringLiteral("down"), QStringLiteral("cheap"), QStringLiteral("dear") }, QString(),
            { { QStringLiteral("down"), down } });
        QCOMPARE(preview.rows.size(), 3); // the other lane's request is not in it
        const ChainPreview::Row &longest = preview.rows.at(0); // newest first
        QCOMPARE(longest.id, QStringLiteral("long"));
        QCOMPARE(longest.wouldServe, QStringLiteral("dear"));
        QCOMPARE(longest.skipped,
            (QList<ChainPreview::Skip> { { QStringLiteral("down"), QStringLiteral("open") },
                { QStringLiteral("cheap"),
                    QStringLiteral("context window 8000 < 20000 tokens") } }));
        const ChainPreview::Row &tools = preview.rows.at(1);
        QCOMPARE(tools.wouldServe, QStringLiteral("dear"));
        QCOMPARE(tools.skipped.at(1).why, QStringLiteral("lacks tools"));
        const ChainPreview::Row &plain = preview.rows.at(2);
        QCOMPARE(plain.wouldServe, QStringLiteral("cheap"));
        QCOMPARE(plain.costNow, 1.0);
        QCOMPARE(preview.elsewhere, 1);
        QCOMPARE(preview.unserved, 0);
        QCOMPARE(preview.costThen, 30.0);
        QCOMPARE(preview.costNow, 21.0);

        ChainPreviewModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPreview(preview);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(2, ChainPreviewModel::WouldServe).data().toString(),
            QStringLiteral("cheap"));
        QVERIFY(model.index(2, ChainPreviewModel::WouldServe)
                    .data(ChainPreviewModel::ChangedRole)
                    .toBool());
        QCOMPARE(
            model.index(1, ChainPreviewModel::Needs).data().toString(), QStringLiteral("tools"));
        QCOMPARE(model.summary(),
            QStringLiteral("Of the last 3 requests, 1 would be served by another "
                           "route and 0 by none; they would cost $21.0000 instead of $30.0000."));

        // Nothing left that can serve tools: said, per request and in sum.
        const ChainPreview none = ChainPreview::run(
            traces, QStringLiteral("main"), config, { QStringLiteral("cheap") }, QString(), {});
        QCOMPARE(none.unserved, 2);
        QVERIFY(none.rows.at(1).wouldServe.isEmpty());
    }

    void theMomentsEventsAndRequests()
    {
        TraceListModel traces;
        TimeRangeFilterModel moment(TraceListModel::Time, TraceListModel::SortRole);
        moment.setSourceModel(&traces);
        QAbstractItemModelTester tester(
            &moment, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(moment.rowCount(), 0); // no moment picked yet
        QList<TraceRecord> records;
        for (int i = 0; i < 5; ++i) {
            TraceRecord record
                = trace(QString::number(i), QStringLiteral("l"), QStringLiteral("r"), 200);
            record.startedAtUtcMs = 1000 * i;
            records.append(record);
        }
        traces.addTraces(records);
        moment.setRange(1000, 3000);
        QCOMPARE(moment.rowCount(), 3);
        moment.setRange(3500, 9000);
        QCOMPARE(moment.rowCount(), 1);
        TraceRecord late
            = trace(QStringLiteral("5"), QStringLiteral("l"), QStringLiteral("r"), 200);
        late.startedAtUtcMs = 5000;
        traces.addTraces({ late }); // a request of the moment that arrives later joins it
        QCOMPARE(moment.rowCount(), 2);

        EventListModel events(10);
        TimeRangeFilterModel eventsAt(EventListModel::Time, EventListModel::SortRole);
        eventsAt.setSourceModel(&events);
        QAbstractItemModelTester eventsTester(
            &eventsAt, QAbstractItemModelTester::FailureReportingMode::QtTest);
        StateEvent event { QDateTime::fromMSecsSinceEpoch(2000, Qt::UTC), QStringLiteral("r"),
            BreakerState::Closed, BreakerState::Open, QStringLiteral("x"), false };
        events.addEvents({ event });
        eventsAt.setRange(0, 1999);
        QCOMPARE(eventsAt.rowCount(), 0);
        eventsAt.setRange(0, 2000);
        QCOMPARE(eventsAt.rowCount(), 1);
    }

    void eventModelNewestFirst()
    {
        EventListModel model(3);
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<StateEvent> events;
        for (int i = 0; i < 4; ++i)
            events.append(
                StateEvent { QDateTime::currentDateTimeUtc(), QStringLiteral("r%1").arg(i),
                    BreakerState::Closed, BreakerState::Open, QStringLiteral("why"), i == 3 });
        model.addEvents(events);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, EventListModel::Route).data().toString(), QStringLiteral("r3"));
        QCOMPARE(model.index(0, EventListModel::By).data().toString(), QStringLiteral("operator"));
        QCOMPARE(model.index(0, EventListModel::To).data().toString(), QStringLiteral("Open"));
    }

    void eventModelShowsConfigAndFleetEventsAndNoHistoryTwice()
    {
        EventListModel model(100);
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        StateEvent reload;
        reload.time = QDateTime::currentDateTimeUtc();
        reload.kind = StateEvent::Kind::Config;
        reload.reason = QStringLiteral("Reloaded /etc/switchyard.json");
        StateEvent fleet = reload;
        fleet.kind = StateEvent::Kind::Fleet;
        fleet.reason = QStringLiteral("Redis is unreachable");
        // The fleet's event came live while the history was read, and is in the history too.
        model.addEvents({ fleet });
        model.addHistory({ reload, fleet });
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, EventListModel::Route).data().toString(),
            QStringLiteral("(configuration)"));
        QCOMPARE(model.index(0, EventListModel::From).data().toString(), QString());
        QCOMPARE(model.index(0, EventListModel::To).data().toString(), QString());
        QVERIFY(!model.index(0, 0).data(EventListModel::ToStateRole).isValid());
        QCOMPARE(
            model.index(1, EventListModel::Route).data().toString(), QStringLiteral("(fleet)"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void costSeriesBucketsStacksAndTotals()
    {
        CostSeriesModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const qint64 now
            = QDateTime(QDate(2026, 11, 23), QTime(12, 30, 10), Qt::UTC).toMSecsSinceEpoch();
        const qint64 minute = now - now % 60000;
        model.addPoints({ CostPoint { minute, QStringLiteral("l"), QStringLiteral("b"), 0.5, 0.5,
                              1000, 50, 1, 900, 40 },
            CostPoint { minute - 60000, QStringLiteral("l"), QStringLiteral("a"), 0.25, 0.0 },
            CostPoint {
                minute - 3 * 3600000, QStringLiteral("l"), QStringLiteral("a"), 9.0, 0.0 } });
        model.setRange(CostSeriesModel::Range::FifteenMinutes, now);
        QCOMPARE(model.rowCount(), 15);
        QCOMPARE(model.routes(), (QStringList { QStringLiteral("a"), QStringLiteral("b") }));
        QCOMPARE(model.columnCount(), 3);
        QCOMPARE(model.index(14, 1).data(CostSeriesModel::ValueRole).toDouble(), 0.5);
        QCOMPARE(model.index(13, 0).data(CostSeriesModel::ValueRole).toDouble(), 0.25);
        QCOMPARE(model.total(), 0.75);
        QCOMPARE(model.fallbackTotal(), 0.5);
        // The range's tokens, prompt-cache reads and writes apart.
        QCOMPARE(model.tokens().in, qint64(1000));
        QCOMPARE(model.tokens().out, qint64(50));
        QCOMPARE(model.tokens().cacheRead, qint64(900));
        QCOMPARE(model.tokens().cacheWrite, qint64(40));
        model.setRange(CostSeriesModel::Range::OneDay, now);
        QCOMPARE(model.rowCount(), 48);
        QCOMPARE(model.total(), 9.75); // the 3 h old spend is inside 24 h
        QCOMPARE(model.routeTotal(QStringLiteral("a")), 9.25);
    }

    void lanesSayWhoServesThemSinceWhenAndAtWhatCost()
    {
        // A lane with a cheap primary, an expensive fallback and a degraded route.
        Config config;
        const auto addRoute = [&config](const QString &name, double in, double out) {
            RouteConfig route;
            route.name = name;
            route.price.inputPerMTok = in;
            route.price.outputPerMTok = out;
            config.routes.insert(name, route);
        };
        addRoute(QStringLiteral("cheap"), 1.0, 2.0);
        addRoute(QStringLiteral("dear"), 10.0, 20.0);
        addRoute(QStringLiteral("small"), 0.5, 0.5);
        LaneConfig lane;
        lane.name = QStringLiteral("main");
        lane.chain = { QStringLiteral("cheap"), QStringLiteral("dear") };
        lane.degraded = QStringLiteral("small");
        config.lanes.insert(lane.name, lane);
        LaneConfig other;
        other.name = QStringLiteral("other");
        other.chain = { QStringLiteral("dear") };
        config.lanes.insert(other.name, other);

        LaneHealthModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setConfig(config);
        const qint64 t0 = 1700000000000;
        model.refresh(t0);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.health(0).level, LaneHealth::Level::Healthy);
        QCOMPARE(
            model.index(0, LaneHealthModel::ServedBy).data().toString(), QStringLiteral("cheap"));
        QCOMPARE(model.index(0, LaneHealthModel::FellBack).data().toString(), QStringLiteral("–"));
        // A failure on the primary, its breaker still closed: healthy, and the sentence says it.
        TraceRecord failure
            = trace(QStringLiteral("0"), QStringLiteral("main"), QStringLiteral("cheap"), 502);
        failure.startedAtUtcMs = t0 - 1000;
        failure.attempts.append(AttemptRecord { .route = QStringLiteral("cheap") });
        model.addTraces({ failure });
        model.refresh(t0);
        QCOMPARE(model.index(0, LaneHealthModel::Summary).data().toString(),
            QStringLiteral("Served by its primary, cheap. 1 of its last 1 requests failed."));
        QCOMPARE(
            model.index(0, LaneHealthModel::FellBack).data().toString(), QStringLiteral("0% of 1"));

        // The primary opens at t0 + 10 s: the lane falls back, at ten times the price.
        RouteSnapshot cheap = route(QStringLiteral("cheap"), QStringLiteral("open"));
        cheap.stateSinceUtcMs = t0 + 10000;
        const RouteSnapshot dear = route(QStringLiteral("dear"), QStringLiteral("closed"));
        const RouteSnapshot small = route(QStringLiteral("small"), QStringLiteral("closed"));
        model.setRoutes({ cheap, dear, small }, t0 + 10500);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.refresh(t0 + 11000);
        QCOMPARE(changed.count(), 1); // the other lane did not change, and was not touched
        QCOMPARE(changed.first().at(0).toModelIndex().row(), 0);
        const LaneHealth falling = model.health(0);
        QCOMPARE(falling.level, LaneHealth::Level::FallingBack);
        QCOMPARE(falling.servedBy, QStringLiteral("dear"));
        QCOMPARE(falling.sinceUtcMs, t0 + 10000);
        QCOMPARE(falling.costFactor, 10.0);
        QCOMPARE(
            model.index(0, LaneHealthModel::CostFactor).data().toString(), QStringLiteral("10.0×"));
        QCOMPARE(model.index(0, LaneHealthModel::Summary).data().toString(),
            QStringLiteral("cheap is open; traffic goes to dear at 10.0× the primary's price."));
        QCOMPARE(model.index(0, LaneHealthModel::Health).data().toString(),
            QStringLiteral("Falling back"));
        QCOMPARE(model.index(0, LaneHealthModel::Health)
                     .data(LaneHealthModel::LevelRole)
                     .value<LaneHealth::Level>(),
            LaneHealth::Level::FallingBack);

        // Three requests: one before the incident on the primary, two that fell back. Each of
        // those paid 10 times the primary's price: 1M prompt tokens cost 10 USD instead of 1.
        TraceRecord before
            = trace(QStringLiteral("1"), QStringLiteral("main"), QStringLiteral("cheap"), 200);
        before.attempts.append(AttemptRecord { .route = QStringLiteral("cheap") });
        before.startedAtUtcMs = t0;
        QList<TraceRecord> traces { before };
        for (const QString &id : { QStringLiteral("2"), QStringLiteral("3") }) {
            TraceRecord fell = trace(id, QStringLiteral("main"), QStringLiteral("dear"), 200, true);
            fell.startedAtUtcMs = t0 + 10500;
            fell.tokensIn = 1000000;
            fell.costUsd = fell.fallbackCostUsd = 10.0;
            fell.attempts.append(AttemptRecord::skippedRoute(QStringLiteral("cheap"),
                FailureClass::Transient, QStringLiteral("breaker_open"), QString(), 0));
            fell.attempts.append(
                AttemptRecord { .route = QStringLiteral("dear"), .byFallback = true });
            traces.append(fell);
        }
        // One of a lane this configuration does not have (history of an older one): ignored.
        traces.append(
            trace(QStringLiteral("4"), QStringLiteral("gone"), QStringLiteral("dear"), 200, true));
        model.addTraces(traces);
        model.refresh(t0 + 12000);
        QCOMPARE(model.health(0).requests, 4);
        QCOMPARE(model.health(0).fellBack, 2);
        QCOMPARE(model.health(0).failed, 1);
        QCOMPARE(model.health(0).extraUsd, 18.0);
        QCOMPARE(model.index(0, LaneHealthModel::FellBack).data().toString(),
            QStringLiteral("50% of 4"));
        QCOMPARE(
            model.index(0, LaneHealthModel::ExtraCost).data().toString(), QStringLiteral("$18.00"));
        // The lane's own token mix (prompt tokens only) prices the fallback: still 10 times.
        QCOMPARE(model.health(0).costFactor, 10.0);

        // Time passes with no traffic: the share decays after five minutes, the extra spend after
        // an hour.
        model.refresh(t0 + 12000 + LaneHealthTracker::ShareWindowMs);
        QCOMPARE(model.health(0).requests, 0);
        QCOMPARE(model.health(0).extraUsd, 18.0);
        model.refresh(t0 + 12000 + LaneHealthTracker::SpendWindowMs);
        QCOMPARE(model.health(0).extraUsd, 0.0);

        // The fallback drained too: the degraded route answers.
        RouteSnapshot drained = route(QStringLiteral("dear"), QStringLiteral("drained"));
        drained.stateSinceUtcMs = t0 + 20000;
        model.setRoutes({ cheap, drained, small }, t0 + 20500);
        model.refresh(t0 + 21000);
        QCOMPARE(model.health(0).level, LaneHealth::Level::Degraded);
        QCOMPARE(model.health(0).sinceUtcMs, t0 + 20000);
        QCOMPARE(model.index(0, LaneHealthModel::Summary).data().toString(),
            QStringLiteral("No route of the chain can serve (cheap is open, dear is drained); the "
                           "degraded route small answers."));
        QCOMPARE(model.health(1).level, LaneHealth::Level::NoRoute);
        QCOMPARE(
            model.index(1, LaneHealthModel::ServedBy).data().toString(), QStringLiteral("nothing"));

        // Its key refused as well: nothing serves the lane, and it says so.
        RouteSnapshot refused = small;
        refused.misconfigured = QStringLiteral("no key");
        model.setRoutes({ cheap, drained, refused }, t0 + 21500);
        model.refresh(t0 + 22000);
        QCOMPARE(model.health(0).level, LaneHealth::Level::NoRoute);
        QCOMPARE(model.health(0).sinceUtcMs, t0 + 21500); // when the refused key was first seen
        QVERIFY(model.index(0, LaneHealthModel::Summary)
                    .data()
                    .toString()
                    .startsWith(QStringLiteral(
                        "Nothing can serve this lane (cheap is open, dear is drained)")));

        // The primary comes back in stages: it takes a quarter, the fallback the rest.
        RouteSnapshot recovering = route(QStringLiteral("cheap"), QStringLiteral("recovering"));
        recovering.trafficShare = 0.25;
        recovering.stateSinceUtcMs = t0 + 30000;
        model.setRoutes({ recovering, dear, small }, t0 + 30500);
        model.refresh(t0 + 31000);
        QCOMPARE(model.health(0).level, LaneHealth::Level::FallingBack);
        QCOMPARE(model.health(0).sinceUtcMs, t0 + 30000);
        QCOMPARE(model.index(0, LaneHealthModel::Summary).data().toString(),
            QStringLiteral("cheap is recovering and takes 25% of traffic; the rest goes to dear."));

        // A primary closed for an hour but rate-limited now: falling back since the limit was first
        // seen, not since its breaker last changed.
        RouteSnapshot limited = route(QStringLiteral("cheap"), QStringLiteral("closed"));
        limited.stateSinceUtcMs = t0 - 3600000;
        limited.rateLimitedRemainingMs = 5000;
        model.setRoutes({ limited, dear, small }, t0 + 40000);
        model.setRoutes({ limited, dear, small }, t0 + 41000);
        model.refresh(t0 + 41000);
        QCOMPARE(model.health(0).level, LaneHealth::Level::FallingBack);
        QCOMPARE(model.health(0).sinceUtcMs, t0 + 40000);

        // A new configuration without the other lane: the rows follow it.
        config.lanes.remove(QStringLiteral("other"));
        model.setConfig(config);
        model.refresh(t0 + 32000);
        QCOMPARE(model.rowCount(), 1);
    }

    void laneHealthCountsHeavyTrafficWhole()
    {
        // 100 requests a second for 10 minutes: every one of the last five minutes is counted (a
        // list of 20,000 requests used to count only the newest), in bounded memory.
        Config config;
        LaneConfig lane;
        lane.name = QStringLiteral("busy");
        lane.chain = { QStringLiteral("r") };
        config.lanes.insert(lane.name, lane);
        config.routes.insert(QStringLiteral("r"), RouteConfig { .name = QStringLiteral("r") });
        LaneHealthTracker tracker;
        tracker.setConfig(config);
        const qint64 t0 = 1700000000000;
        const TraceRecord request
            = trace(QStringLiteral("x"), QStringLiteral("busy"), QStringLiteral("r"), 200);
        for (qint64 i = 0; i < 100 * 60 * 10; ++i)
            tracker.addRequest(request, t0 + i * 10);
        const LaneHealth health = tracker.assess(t0 + 10 * 60 * 1000).first();
        QCOMPARE(health.requests, 100 * 60 * 5);
    }

    void routesSaySinceWhenAndWhenTheirLastErrorCame()
    {
        RouteTableModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Earlier today, whenever the test runs (five minutes ago was yesterday just after
        // midnight).
        const QDateTime opened(QDate::currentDate(), QTime(0, 0, 1));
        RouteSnapshot down = route(QStringLiteral("down"), QStringLiteral("open"));
        down.stateSinceUtcMs = opened.toMSecsSinceEpoch();
        down.lastError = QStringLiteral("transient: HTTP 503");
        down.lastErrorAtUtcMs = opened.toMSecsSinceEpoch();
        RouteSnapshot fine = route(QStringLiteral("fine"), QStringLiteral("closed"));
        model.setSnapshots({ down, fine });
        QCOMPARE(model.index(0, RouteTableModel::Since).data().toString(),
            opened.toString(QStringLiteral("HH:mm:ss")));
        QCOMPARE(model.index(0, RouteTableModel::LastError).data().toString(),
            opened.toString(QStringLiteral("HH:mm:ss")) + QStringLiteral("  transient: HTTP 503"));
        QCOMPARE(model.index(1, RouteTableModel::Since).data().toString(), QStringLiteral("start"));
        QCOMPARE(model.index(1, RouteTableModel::LastError).data().toString(), QString());
        // A state that began on another day says which.
        down.stateSinceUtcMs = opened.addDays(-2).toMSecsSinceEpoch();
        model.setSnapshots({ down, fine });
        QCOMPARE(model.index(0, RouteTableModel::Since).data().toString(),
            opened.addDays(-2).toString(QStringLiteral("yyyy-MM-dd HH:mm")));
    }

    void fleetMembersMergeByInstance()
    {
        FleetMemberModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        FleetStatus fleet;
        fleet.enabled = true;
        fleet.connected = true;
        fleet.instance = QStringLiteral("gw0");
        FleetMember self = member(QStringLiteral("gw0"),
            { { QStringLiteral("r"), BreakerState::Drained },
                { QStringLiteral("s"), BreakerState::Closed },
                { QStringLiteral("t"), BreakerState::Closed } });
        self.lanesWithoutRoute = { QStringLiteral("paid") };
        self.lastAnswer = QStringLiteral("drain of r applied");
        FleetMember other
            = member(QStringLiteral("gw1"), { { QStringLiteral("r"), BreakerState::Open } });
        other.lastAnswer = QStringLiteral("drain of r: no answer yet");
        other.answerPending = true;
        fleet.members = { self, other, member(QStringLiteral("gw2"), {}, false) };
        model.setFleet(fleet);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, FleetMemberModel::Instance).data().toString(),
            QStringLiteral("gw0 (this one)"));
        QCOMPARE(model.index(0, FleetMemberModel::Health).data().toString(),
            QStringLiteral("Not ready: no route for paid"));
        QCOMPARE(model.index(0, FleetMemberModel::Routes).data().toString(),
            QStringLiteral("1 drained · 2 closed"));
        QCOMPARE(
            model.index(1, FleetMemberModel::Health).data().toString(), QStringLiteral("Ready"));
        QCOMPARE(model.index(1, FleetMemberModel::LatestAction).data().toString(),
            QStringLiteral("drain of r: no answer yet (waiting)"));
        QVERIFY(model.index(2, FleetMemberModel::Health)
                    .data()
                    .toString()
                    .startsWith(QLatin1String("Silent since ")));
        QCOMPARE(model.index(2, FleetMemberModel::Routes).data().toString(),
            QStringLiteral("no routes"));
        QVERIFY(!model.index(2, 0).data(FleetMemberModel::ReadyRole).toBool());

        // gw1 answers, gw2 is gone, gw3 joins: rows change in place, leave and arrive; no reset.
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        other.lastAnswer = QStringLiteral("drain of r applied");
        other.answerPending = false;
        fleet.members = { self, other, member(QStringLiteral("gw3"), {}) };
        model.setFleet(fleet);
        QCOMPARE(resets.size(), 0);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(1, FleetMemberModel::LatestAction).data().toString(),
            QStringLiteral("drain of r applied"));
        QCOMPARE(
            model.index(2, FleetMemberModel::Instance).data().toString(), QStringLiteral("gw3"));

        // A gateway that leaves the fleet empties the list.
        model.setFleet(FleetStatus());
        QCOMPARE(model.rowCount(), 0);
    }

    void fleetRoutesSideBySide()
    {
        FleetRouteModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        FleetStatus fleet;
        fleet.enabled = true;
        fleet.members = { member(QStringLiteral("gw0"),
                              { { QStringLiteral("r"), BreakerState::Drained },
                                  { QStringLiteral("s"), BreakerState::Closed } }),
            member(QStringLiteral("gw1"), { { QStringLiteral("r"), BreakerState::Open } }) };
        model.setFleet(fleet);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), 3);
        QCOMPARE(model.headerData(1, Qt::Horizontal).toString(), QStringLiteral("gw0"));
        QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("r"));
        QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("Drained"));
        QCOMPARE(model.index(0, 2).data(FleetRouteModel::StateRole).value<BreakerState>(),
            BreakerState::Open);
        // s is not in gw1's config: an empty cell, said so in its tooltip, with no state to paint.
        QCOMPARE(model.index(1, 2).data().toString(), QString());
        QVERIFY(!model.index(1, 2).data(FleetRouteModel::StateRole).isValid());
        QCOMPARE(model.index(1, 2).data(Qt::ToolTipRole).toString(),
            QStringLiteral("gw1 has no route s"));

        // Same shape, a state changes: cells change in place.
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        fleet.members[1].routeStates[QStringLiteral("r")] = BreakerState::Closed;
        model.setFleet(fleet);
        QCOMPARE(resets.size(), 0);
        QCOMPARE(model.index(0, 2).data().toString(), QStringLiteral("Closed"));
        // A new instance changes the shape.
        fleet.members.append(
            member(QStringLiteral("gw2"), { { QStringLiteral("u"), BreakerState::HalfOpen } }));
        model.setFleet(fleet);
        QCOMPARE(resets.size(), 1);
        QCOMPARE(model.columnCount(), 4);
        QCOMPARE(model.rowCount(), 3);
    }

    void providerModelMergesSnapshotsWithoutAReset()
    {
        ProviderTableModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        ProviderSnapshot a;
        a.name = QStringLiteral("a");
        a.key = SecretRef { SecretRef::Source::Keychain, QStringLiteral("openai") };
        a.keyState = KeyState::Missing;
        a.keyDetail = QStringLiteral("keychain entry 'openai' is missing");
        ProviderSnapshot b;
        b.name = QStringLiteral("b");
        model.setProviders({ a, b });
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, ProviderTableModel::KeyStatus).data().toString(),
            QStringLiteral("missing"));
        QCOMPARE(model.index(0, ProviderTableModel::KeyStatus).data(Qt::ToolTipRole).toString(),
            a.keyDetail);
        QCOMPARE(model.index(0, 0).data(ProviderTableModel::KeychainNameRole).toString(),
            QStringLiteral("openai"));
        QCOMPARE(model.index(0, ProviderTableModel::Key).data().toString(),
            QStringLiteral("keychain entry 'openai'"));
        QCOMPARE(model.index(1, ProviderTableModel::Key).data().toString(), QStringLiteral("none"));
        QCOMPARE(
            model.index(1, 0).data(ProviderTableModel::KeychainNameRole).toString(), QString());

        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy removals(&model, &QAbstractItemModel::rowsRemoved);
        a.keyState = KeyState::Rejected;
        a.test = ProviderSnapshot::Test::Failed;
        a.testResult = QStringLiteral("auth_error: HTTP 401");
        model.setProviders({ a });
        QCOMPARE(resets.size(), 0);
        QCOMPARE(removals.size(), 1);
        QCOMPARE(changes.size(), 1);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, ProviderTableModel::KeyStatus).data().toString(),
            QStringLiteral("rejected by the upstream"));
        QVERIFY(model.index(0, ProviderTableModel::LastTest)
                    .data()
                    .toString()
                    .startsWith(a.testResult));
        model.setProviders({ a });
        QCOMPARE(changes.size(), 1); // nothing changed, nothing repainted
    }

    void chainWarnings_data()
    {
        QTest::addColumn<QStringList>("chain");
        QTest::addColumn<QString>("degraded");
        QTest::addColumn<QStringList>("expected"); // fragments, one per warning
        QTest::newRow("twin is fine")
            << QStringList { "big", "twin" } << QString() << QStringList {};
        QTest::newRow("capabilities and context")
            << QStringList { "big", "small" } << QString()
            << QStringList { "cannot honour tools, json, vision", "smaller context window" };
        QTest::newRow("price jump")
            << QStringList { "big", "pricey" } << QString() << QStringList { "as much as big" };
        QTest::newRow("degraded is checked too")
            << QStringList { "big" } << QStringLiteral("small")
            << QStringList { "cannot honour", "smaller context window" };
        QTest::newRow("empty chain") << QStringList {} << QString() << QStringList { "empty" };
        QTest::newRow("unknown route") << QStringList { "big", "ghost" } << QString()
                                       << QStringList { "Unknown route 'ghost'" };
    }

    void chainWarnings()
    {
        QFETCH(QStringList, chain);
        QFETCH(QString, degraded);
        QFETCH(QStringList, expected);
        const QStringList warnings = Switchyard::chainWarnings(demoLikeConfig(), chain, degraded);
        QCOMPARE(warnings.size(), expected.size());
        for (int i = 0; i < expected.size(); ++i)
            QVERIFY2(warnings.at(i).contains(expected.at(i)),
                qPrintable(warnings.join(QLatin1Char('\n'))));
    }

    void documentSavesAtomicallyKeepingUnknownKeys()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("switchyard.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(jsonText(
            "{'x-owner': 'team-ml', 'providers': {'p': {'base_url': 'http://x/v1', 'x-note': 1}},"
            "'routes': {'a': {'provider': 'p', 'model': 'm'}, 'b': {'provider': 'p', 'model': "
            "'n'}},"
            "'lanes': {'l': {'chain': ['a', 'b']}}}"));
        file.close();
        ConfigDocument document;
        QVERIFY(document.load(path).isValid());
        QSignalSpy external(&document, &ConfigDocument::changedOnDisk);

        QString error;
        const QJsonObject edited = ConfigDocument::withLane(document.json(), QStringLiteral("l"),
            { QStringLiteral("b"), QStringLiteral("a") }, QStringLiteral("a"));
        QVERIFY(document.save(edited, &error).isValid());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject saved = QJsonDocument::fromJson(file.readAll()).object();
        file.close();
        QCOMPARE(saved.value(QLatin1String("x-owner")).toString(), QStringLiteral("team-ml"));
        QCOMPARE(saved.value(QLatin1String("providers"))
                     .toObject()
                     .value(QLatin1String("p"))
                     .toObject()
                     .value(QLatin1String("x-note"))
                     .toInt(),
            1);
        const QJsonObject lane
            = saved.value(QLatin1String("lanes")).toObject().value(QLatin1String("l")).toObject();
        QCOMPARE(
            lane.value(QLatin1String("chain")).toArray().first().toString(), QStringLiteral("b"));
        QCOMPARE(lane.value(QLatin1String("degraded")).toString(), QStringLiteral("a"));

        // An invalid edit is refused and the file stays as it was.
        const QJsonObject broken = ConfigDocument::withLane(
            document.json(), QStringLiteral("l"), { QStringLiteral("ghost") }, QString());
        QVERIFY(!document.save(broken, &error).isValid());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().contains("\"b\""));
        file.close();

        // Our own save is not an external change; somebody else's edit is.
        QTest::qWait(50); // a check for a signal that must not come, bounded and short
        QCOMPARE(external.size(), 0);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(edited).toJson().replace("team-ml", "team-ops"));
        file.close();
        QTRY_VERIFY(external.size() >= 1);

        // Deleted and made again: still watched.
        const qsizetype before = external.size();
        QVERIFY(QFile::remove(path));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(edited).toJson().replace("team-ml", "team-again"));
        file.close();
        QTRY_VERIFY(external.size() > before);

        // An editor that writes a copy and renames it over the file: still watched.
        const qsizetype afterRecreate = external.size();
        QFile copy(path + QStringLiteral(".swp"));
        QVERIFY(copy.open(QIODevice::WriteOnly));
        copy.write(QJsonDocument(edited).toJson().replace("team-ml", "team-renamed"));
        copy.close();
        QVERIFY(::rename(QFile::encodeName(copy.fileName()).constData(),
                    QFile::encodeName(path).constData())
            == 0);
        QTRY_VERIFY(external.size() > afterRecreate);
        const qsizetype afterRename = external.size();
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(edited).toJson().replace("team-ml", "team-last"));
        file.close();
        QTRY_VERIFY(external.size() > afterRename);
    }

    void removingARouteOrProviderCleansTheLanes()
    {
        const QJsonObject json = QJsonDocument::fromJson(
            jsonText(
                "{'providers': {'p': {'base_url': 'http://x/v1'}, 'q': {'base_url': "
                "'http://y/v1'}},"
                "'routes': {'a': {'provider': 'p', 'model': 'm'}, 'b': {'provider': 'q', 'model': "
                "'n'},"
                "           'c': {'provider': 'q', 'model': 'o'}},"
                "'lanes': {'l': {'chain': ['a', 'b'], 'degraded': 'c', 'policy_fallbacks': ['b']},"
                "          'k': {'chain': ['a']}}, 'default_lane': 'l'}"))
                                     .object();
        QCOMPARE(ConfigDocument::lanesUsing(json, QStringLiteral("b")),
            QStringList { QStringLiteral("l") });
        QCOMPARE(ConfigDocument::lanesUsing(json, QStringLiteral("a")),
            (QStringList { QStringLiteral("k"), QStringLiteral("l") }));
        QCOMPARE(ConfigDocument::routesOf(json, QStringLiteral("q")),
            (QStringList { QStringLiteral("b"), QStringLiteral("c") }));

        const QJsonObject withoutQ = ConfigDocument::withoutProvider(json, QStringLiteral("q"));
        QVERIFY2(ConfigLoader::fromObject(withoutQ).isValid(),
            qPrintable(ConfigLoader::fromObject(withoutQ).errors.join(QLatin1Char(';'))));
        QVERIFY(
            !withoutQ.value(QLatin1String("providers")).toObject().contains(QLatin1String("q")));
        QCOMPARE(withoutQ.value(QLatin1String("routes")).toObject().keys(),
            QStringList { QStringLiteral("a") });
        const QJsonObject lane = withoutQ.value(QLatin1String("lanes"))
                                     .toObject()
                                     .value(QLatin1String("l"))
                                     .toObject();
        QCOMPARE(lane.value(QLatin1String("chain")).toArray(), QJsonArray { QStringLiteral("a") });
        QVERIFY(!lane.contains(QLatin1String("degraded")));
        QVERIFY(lane.value(QLatin1String("policy_fallbacks")).toArray().isEmpty());

        // Removing the only route of a lane leaves an empty chain, which validation refuses.
        QVERIFY(!ConfigLoader::fromObject(ConfigDocument::withoutRoute(json, QStringLiteral("a")))
                     .isValid());
    }
};

QTEST_GUILESS_MAIN(ModelsTest)
#include "tst_models.moc"
