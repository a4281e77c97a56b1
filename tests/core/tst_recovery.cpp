#include "config/activeconfig.h"
#include "routing/clock.h"
#include "routing/routeregistry.h"

#include <QTest>

#include <functional>

using namespace Switchyard;

// Provider incidents replayed over a manual clock with the default breaker, recovery and probe
// settings: a request a second, probes when the registry says they are due, every verdict fed
// back as the gateway does. Minutes of incident in a millisecond, and no test here sleeps.
class RecoveryTest final : public QObject {
    Q_OBJECT

private:
    struct Replay {
        ManualClock clock;
        RouteRegistry routes { clock,
            [this](const StateEvent &event) {
                transitions.append({ clock.nowMs() - startMs, breakerStateName(event.to) });
            } };
        ActiveConfig active;
        qint64 startMs = clock.nowMs();
        // Does the primary's chat API work at this many ms into the replay?
        std::function<bool(qint64)> chatWorks;
        QList<QPair<qint64, QString>> transitions;
        int servedByPrimary = 0;
        int failedOnPrimary = 0; // each one a fallback the caller waited for
        int requests = 0;

        explicit Replay(const QString &probeKind, bool keySet = true)
        {
            RouteConfig route;
            route.name = QStringLiteral("primary");
            route.provider = QStringLiteral("p");
            route.probe.kind = probeKind;
            active.config.routes.insert(route.name, route);
            if (keySet) {
                ResolvedSecret key;
                key.ok = true;
                key.value = "sk-replay";
                active.providerKeys.insert(
                    QStringLiteral("p"), ResolvedKeys { { { QStringLiteral("p"), 1.0, key } } });
            }
            routes.configure(active.config);
        }

        qint64 elapsed() const { return clock.nowMs() - startMs; }

        // Runs until `untilMs`, a request every second and a maintenance tick every 100 ms.
        void run(qint64 untilMs)
        {
            while (elapsed() < untilMs) {
                clock.advance(100);
                routes.advance();
                const bool works = chatWorks(elapsed());
                for (const QString &name : routes.dueProbes(active)) {
                    RouteState &state = routes.state(name);
                    state.lastProbeMs = clock.nowMs();
                    // A models list answers throughout: the host is up even when chat is not.
                    const bool completion
                        = active.probesByCompletion(*active.config.routes.find(name));
                    state.breaker.recordProbe(completion ? works : true, 50,
                        QStringLiteral("HTTP 503"),
                        completion ? ProbeSignal::Completion : ProbeSignal::Liveness);
                }
                if (elapsed() % 1000 == 0)
                    request(works);
            }
        }

        void request(bool works)
        {
            ++requests;
            RouteState &state = routes.state(QStringLiteral("primary"));
            const CircuitBreaker::Admission admission
                = state.breaker.admit(double(requests % 10) / 10.0);
            if (admission != CircuitBreaker::Admission::Allow
                && admission != CircuitBreaker::Admission::Trial)
                return; // the fallback serves it
            const bool trial = admission == CircuitBreaker::Admission::Trial;
            const int epoch = state.breaker.epoch();
            routes.beginAttempt(QStringLiteral("primary"));
            routes.settleAttempt(
                { QStringLiteral("primary"), works ? FailureClass::Ok : FailureClass::Transient,
                    300, QStringLiteral("HTTP 503"), trial, trial ? epoch : -1, false });
            if (works)
                ++servedByPrimary;
            else
                ++failedOnPrimary;
        }

        // When the route last became closed, in ms into the replay; -1 if it never did.
        qint64 lastClosedAt() const
        {
            for (qsizetype i = transitions.size() - 1; i >= 0; --i) {
                if (transitions.at(i).second == QLatin1String("closed"))
                    return transitions.at(i).first;
            }
            return -1;
        }
    };

private Q_SLOTS:
    void aRouteIsBackWithinThirtySecondsOfRecovering()
    {
        // Chat returns 503 for a minute while GET /models keeps answering 200 (the incident of
        // issue 16); with a key set the probe is a one-token completion, a real signal.
        Replay replay(QStringLiteral("auto"));
        replay.chatWorks = [](qint64 ms) { return ms >= 60000; };
        replay.run(120000);
        QCOMPARE(
            replay.routes.state(QStringLiteral("primary")).breaker.state(), BreakerState::Closed);
        const qint64 closedAt = replay.lastClosedAt();
        qInfo() << "closed again" << closedAt - 60000 << "ms after chat recovered;"
                << replay.failedOnPrimary << "calls failed on the primary";
        QVERIFY2(closedAt > 60000 && closedAt <= 90000,
            qPrintable(QStringLiteral("closed at %1 ms").arg(closedAt)));
        // While it was down, the breaker kept the callers off it: a few calls opened it, and no
        // trial was spent on a route that a probe could not vouch for.
        QVERIFY2(replay.failedOnPrimary <= 6,
            qPrintable(
                QStringLiteral("%1 calls failed on the primary").arg(replay.failedOnPrimary)));
    }

    void aModelsListNeverBringsARouteBack()
    {
        // Probing by models list only: the 200s say nothing, so the route comes back by the
        // cooldown and real trials alone, never while chat still fails.
        Replay replay(QStringLiteral("models"));
        replay.chatWorks = [](qint64 ms) { return ms >= 60000; };
        replay.run(60000);
        QVERIFY(
            replay.routes.state(QStringLiteral("primary")).breaker.state() != BreakerState::Closed);
        for (const auto &[at, state] : replay.transitions)
            QVERIFY2(state != QLatin1String("recovering"),
                qPrintable(QStringLiteral("recovering at %1 ms while chat failed").arg(at)));
        replay.run(240000);
        qInfo() << "closed again" << replay.lastClosedAt() - 60000
                << "ms after chat recovered, by cooldown and real trials";
        QCOMPARE(
            replay.routes.state(QStringLiteral("primary")).breaker.state(), BreakerState::Closed);
    }

    void aFlappingRouteDoesNotTakeTheTraffic()
    {
        // Up for 10 s, down for 10 s, for five minutes: each flap may cost a call or two, but the
        // primary must not keep taking requests it fails.
        Replay replay(QStringLiteral("auto"));
        replay.chatWorks = [](qint64 ms) { return (ms / 10000) % 2 == 1; };
        replay.run(300000);
        qInfo() << replay.failedOnPrimary << "of" << replay.requests
                << "requests failed on the primary;" << replay.servedByPrimary << "served by it";
        QVERIFY2(replay.failedOnPrimary * 10 <= replay.requests,
            qPrintable(QStringLiteral("%1 of %2 requests failed on the primary")
                           .arg(replay.failedOnPrimary)
                           .arg(replay.requests)));
    }
};

QTEST_GUILESS_MAIN(RecoveryTest)
#include "tst_recovery.moc"
