#include "routing/breaker.h"
#include "routing/clock.h"

#include <QTest>

using namespace Switchyard;

// Every breaker transition, driven by a script over a manual clock: no test here sleeps.
class BreakerTest final : public QObject {
    Q_OBJECT

private:
    struct Fixture {
        ManualClock clock;
        CircuitBreaker breaker { QStringLiteral("r"), clock };
        QStringList transitions;
        QList<bool> byOperator;
        QStringList admissions;

        Fixture()
        {
            BreakerSettings settings;
            settings.window = 4;
            settings.minCalls = 4;
            settings.failureRate = 0.5;
            settings.consecutiveFailures = 3;
            settings.slowCallMs = 1000;
            settings.slowCallRate = 0.75;
            settings.cooldownMs = 100;
            settings.maxCooldownMs = 400;
            settings.halfOpenCalls = 2;
            RecoverySettings recovery;
            recovery.steps = { 0.25, 0.5, 1.0 };
            recovery.stepMs = 50;
            breaker.setSettings(settings, recovery);
            breaker.setEventSink([this](const StateEvent &event) {
                transitions.append(breakerStateName(event.to));
                byOperator.append(event.byOperator);
            });
        }

        static QString admissionName(CircuitBreaker::Admission admission)
        {
            switch (admission) {
            case CircuitBreaker::Admission::Allow:
                return QStringLiteral("allow");
            case CircuitBreaker::Admission::Trial:
                return QStringLiteral("trial");
            case CircuitBreaker::Admission::Drill:
                return QStringLiteral("drill");
            case CircuitBreaker::Admission::Denied:
                return QStringLiteral("denied");
            case CircuitBreaker::Admission::ShareDenied:
                return QStringLiteral("share_denied");
            }
            return QString();
        }

        // s/f: success/failure of ordinary traffic; S: a slow success; ts/tf: a trial (admitted,
        // then recorded); p+/p-: completion probe results; l+/l-: liveness (models list) probe
        // results; +N: N ms pass; a: ask for admission; operator words
        // as named.
        void run(const QString &script)
        {
            for (const QString &step : script.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
                if (step == QLatin1String("s"))
                    breaker.recordSuccess(10, false);
                else if (step == QLatin1String("S"))
                    breaker.recordSuccess(1500, false);
                else if (step == QLatin1String("f"))
                    breaker.recordFailure(10, false, QStringLiteral("HTTP 503"));
                else if (step == QLatin1String("ts") || step == QLatin1String("tf")) {
                    const auto admission = breaker.admit(0.0);
                    admissions.append(admissionName(admission));
                    if (step == QLatin1String("ts"))
                        breaker.recordSuccess(10, admission == CircuitBreaker::Admission::Trial);
                    else
                        breaker.recordFailure(10, admission == CircuitBreaker::Admission::Trial,
                            QStringLiteral("503"));
                } else if (step == QLatin1String("p+"))
                    breaker.recordProbe(true, 5, QString(), ProbeSignal::Completion);
                else if (step == QLatin1String("p-"))
                    breaker.recordProbe(
                        false, 5, QStringLiteral("timeout"), ProbeSignal::Completion);
                else if (step == QLatin1String("l+"))
                    breaker.recordProbe(true, 5, QString(), ProbeSignal::Liveness);
                else if (step == QLatin1String("l-"))
                    breaker.recordProbe(false, 5, QStringLiteral("timeout"), ProbeSignal::Liveness);
                else if (step.startsWith(QLatin1Char('+'))) {
                    clock.advance(step.mid(1).toLongLong());
                    breaker.tick();
                } else if (step == QLatin1String("a"))
                    admissions.append(admissionName(breaker.admit(0.0)));
                else if (step == QLatin1String("drain"))
                    breaker.drain();
                else if (step == QLatin1String("restore"))
                    breaker.restore(false);
                else if (step == QLatin1String("staged"))
                    breaker.restore(true);
                else if (step == QLatin1String("stage"))
                    breaker.stageRecovery();
                else if (step == QLatin1String("drill"))
                    breaker.startDrill(DrillFault::ServiceUnavailable, 2);
                else
                    qFatal("unknown script step %s", qPrintable(step));
            }
        }
    };

private Q_SLOTS:
    void transitions_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<QString>("state");
        QTest::addColumn<QStringList>("events");
        QTest::addColumn<QStringList>("admissions");

        const QStringList none;
        QTest::newRow("consecutive failures open") << "f f f"
                                                   << "open" << QStringList { "open" } << none;
        QTest::newRow("two failures stay closed") << "f f"
                                                  << "closed" << none << none;
        QTest::newRow("rate needs min_calls") << "f s f"
                                              << "closed" << none << none;
        QTest::newRow("rate at threshold opens") << "s f s f"
                                                 << "open" << QStringList { "open" } << none;
        QTest::newRow("rate below threshold") << "s s s f"
                                              << "closed" << none << none;
        QTest::newRow("isolated failures stay closed") << "f s s s f s s s"
                                                       << "closed" << none << none;
        QTest::newRow("slow calls open") << "S S S s"
                                         << "open" << QStringList { "open" } << none;
        QTest::newRow("open denies")
            << "f f f a"
            << "open" << QStringList { "open" } << QStringList { "denied" };
        QTest::newRow("cooldown not over") << "f f f +99"
                                           << "open" << QStringList { "open" } << none;
        QTest::newRow("cooldown over: half-open")
            << "f f f +100"
            << "half_open" << QStringList { "open", "half_open" } << none;
        QTest::newRow("trials limited") << "f f f +100 a a a"
                                        << "half_open" << QStringList { "open", "half_open" }
                                        << QStringList { "trial", "trial", "denied" };
        QTest::newRow("trials succeed: recovering")
            << "f f f +100 ts ts"
            << "recovering" << QStringList { "open", "half_open", "recovering" }
            << QStringList { "trial", "trial" };
        QTest::newRow("trial fails: open, cooldown doubled")
            << "f f f +100 tf +199"
            << "open" << QStringList { "open", "half_open", "open" } << QStringList { "trial" };
        QTest::newRow("doubled cooldown over")
            << "f f f +100 tf +200"
            << "half_open" << QStringList { "open", "half_open", "open", "half_open" }
            << QStringList { "trial" };
        QTest::newRow("cooldown capped at max")
            << "f f f +100 tf +200 tf +400 tf +400"
            << "half_open"
            << QStringList { "open", "half_open", "open", "half_open", "open", "half_open", "open",
                   "half_open" }
            << QStringList { "trial", "trial", "trial" };
        QTest::newRow("recovery advances a step at a time")
            << "f f f +100 ts ts +50"
            << "recovering" << QStringList { "open", "half_open", "recovering" }
            << QStringList { "trial", "trial" };
        QTest::newRow("last step is closed")
            << "f f f +100 ts ts +50 +50"
            << "closed" << QStringList { "open", "half_open", "recovering", "closed" }
            << QStringList { "trial", "trial" };
        QTest::newRow("failure while recovering: open")
            << "f f f +100 ts ts +50 f"
            << "open" << QStringList { "open", "half_open", "recovering", "open" }
            << QStringList { "trial", "trial" };
        QTest::newRow("probes are trials when half-open")
            << "f f f +100 p+ p+"
            << "recovering" << QStringList { "open", "half_open", "recovering" } << none;
        QTest::newRow("failed probe reopens")
            << "f f f +100 p-"
            << "open" << QStringList { "open", "half_open", "open" } << none;
        QTest::newRow("probes count when closed") << "p- p- p-"
                                                  << "open" << QStringList { "open" } << none;
        // A models list that answers says nothing about completions (the incident where /models
        // kept answering 200 while chat returned 503): it never moves the state.
        QTest::newRow("a models list is no trial")
            << "f f f +100 l+ l+"
            << "half_open" << QStringList { "open", "half_open" } << none;
        QTest::newRow("a models list does not dilute real failures")
            << "f l+ f l+ f"
            << "open" << QStringList { "open" } << none;
        QTest::newRow("a failing models list opens nothing") << "l- l- l- l-"
                                                             << "closed" << none << none;
        QTest::newRow("a completion probe ends a doubled cooldown after the base one")
            << "f f f +100 tf +100 p+ p+"
            << "recovering"
            << QStringList { "open", "half_open", "open", "half_open", "recovering" }
            << QStringList { "trial" };
        QTest::newRow("but not before the base cooldown")
            << "f f f +99 p+"
            << "open" << QStringList { "open" } << none;
        QTest::newRow("a failed completion probe while open changes nothing")
            << "f f f +100 tf +100 p-"
            << "open" << QStringList { "open", "half_open", "open" } << QStringList { "trial" };
        QTest::newRow("drain denies")
            << "drain a"
            << "drained" << QStringList { "drained" } << QStringList { "denied" };
        QTest::newRow("failures while drained change nothing")
            << "drain f f f f +1000"
            << "drained" << QStringList { "drained" } << none;
        QTest::newRow("restore closes")
            << "f f f drain restore a"
            << "closed" << QStringList { "open", "drained", "closed" } << QStringList { "allow" };
        QTest::newRow("staged restore recovers")
            << "drain staged"
            << "recovering" << QStringList { "drained", "recovering" } << none;
        QTest::newRow("stage recovery from open")
            << "f f f stage"
            << "recovering" << QStringList { "open", "recovering" } << none;
        QTest::newRow("drill injects")
            << "drill a"
            << "drilling" << QStringList { "drilling" } << QStringList { "drill" };
        QTest::newRow("drill failures do not open")
            << "drill f f f f"
            << "drilling" << QStringList { "drilling" } << none;
        QTest::newRow("drill ends in automatic")
            << "drill +2000 a"
            << "closed" << QStringList { "drilling", "closed" } << QStringList { "allow" };
    }

    void transitions()
    {
        QFETCH(QString, script);
        QFETCH(QString, state);
        QFETCH(QStringList, events);
        QFETCH(QStringList, admissions);
        Fixture fixture;
        fixture.run(script);
        QCOMPARE(breakerStateName(fixture.breaker.state()), state);
        QCOMPARE(fixture.transitions, events);
        QCOMPARE(fixture.admissions, admissions);
    }

    void aLateTrialCannotSpeakForANewerHalfOpenPeriod()
    {
        Fixture fixture;
        fixture.run(QStringLiteral("f f f +100"));
        QCOMPARE(fixture.breaker.admit(0.0), CircuitBreaker::Admission::Trial);
        const int oldEpoch = fixture.breaker.epoch();
        QCOMPARE(fixture.breaker.admit(0.0), CircuitBreaker::Admission::Trial);
        fixture.breaker.recordFailure(
            10, true, QStringLiteral("503"), oldEpoch); // the second trial fails
        fixture.run(QStringLiteral("+200"));
        QCOMPARE(fixture.breaker.state(), BreakerState::HalfOpen);
        QCOMPARE(fixture.breaker.admit(0.0), CircuitBreaker::Admission::Trial);
        // The first trial of the old period finally answers: it must neither count nor free a slot.
        fixture.breaker.recordSuccess(10, true, oldEpoch);
        fixture.breaker.releaseTrial(oldEpoch);
        QCOMPARE(fixture.breaker.state(), BreakerState::HalfOpen);
        QCOMPARE(fixture.breaker.trialsAvailable(), 1);
    }

    void proberUsesEachTrialSlotOnce()
    {
        Fixture fixture;
        fixture.run(QStringLiteral("f f f +100 a a p+"));
        QCOMPARE(fixture.breaker.state(),
            BreakerState::HalfOpen); // both trial slots were taken by traffic
    }

    void recoveringTakesOnlyItsShare()
    {
        Fixture fixture;
        fixture.run(QStringLiteral("f f f +100 ts ts"));
        QCOMPARE(fixture.breaker.trafficShare(), 0.25);
        QCOMPARE(fixture.breaker.admit(0.2), CircuitBreaker::Admission::Allow);
        QCOMPARE(fixture.breaker.admit(0.3), CircuitBreaker::Admission::ShareDenied);
        fixture.run(QStringLiteral("+50"));
        QCOMPARE(fixture.breaker.trafficShare(), 0.5);
        QCOMPARE(fixture.breaker.admit(0.3), CircuitBreaker::Admission::Allow);
        QCOMPARE(fixture.breaker.admit(0.6), CircuitBreaker::Admission::ShareDenied);
    }

    void cooldownResetsOnceClosed()
    {
        Fixture fixture;
        fixture.run(QStringLiteral("f f f +100 tf +200 ts ts +50 +50"));
        QCOMPARE(fixture.breaker.state(), BreakerState::Closed);
        fixture.run(QStringLiteral("f f f"));
        QCOMPARE(fixture.breaker.cooldownRemainingMs(), qint64(100));
    }

    void operatorActionsAreMarked()
    {
        Fixture fixture;
        fixture.run(QStringLiteral("f f f drain restore"));
        QCOMPARE(fixture.byOperator, (QList<bool> { false, true, true }));
    }

    void drillFaultNames()
    {
        for (const char *name : { "503", "429", "timeout", "refused", "malformed" }) {
            DrillFault fault;
            QVERIFY(parseDrillFault(QString::fromLatin1(name), &fault));
            QCOMPARE(drillFaultName(fault), QString::fromLatin1(name));
        }
        DrillFault fault;
        QVERIFY(!parseDrillFault(QStringLiteral("meteor"), &fault));
    }
};

QTEST_GUILESS_MAIN(BreakerTest)
#include "tst_breaker.moc"
