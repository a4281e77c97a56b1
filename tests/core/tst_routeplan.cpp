#include "routing/routeplan.h"

#include <QTest>

using namespace Switchyard;

// The order a request tries its lane's routes in, and how a refusal or a wall of open breakers
// changes it.
class RoutePlanTest final : public QObject {
    Q_OBJECT

private:
    static RoutingTarget lane()
    {
        RoutingTarget target;
        target.lane = QStringLiteral("fast");
        target.chain = { QStringLiteral("a"), QStringLiteral("b") };
        target.degraded = QStringLiteral("cheap");
        target.policyFallbacks = { QStringLiteral("lenient"), QStringLiteral("b") };
        return target;
    }

private Q_SLOTS:
    void chainThenDegraded()
    {
        RoutePlan plan(lane());
        QStringList walked;
        QList<bool> inChain;
        while (plan.advance()) {
            walked.append(plan.current());
            inChain.append(plan.inChain());
        }
        QCOMPARE(walked, QStringList({ "a", "b", "cheap" }));
        QCOMPARE(inChain, QList<bool>({ true, true, false }));
        QVERIFY(!plan.advance()); // used up stays used up
    }

    void aDegradedRouteAlsoInTheChainIsNotTriedTwice()
    {
        RoutingTarget target = lane();
        target.degraded = QStringLiteral("b");
        RoutePlan plan(target);
        int steps = 0;
        while (plan.advance())
            ++steps;
        QCOMPARE(steps, 2);
    }

    void theFirstCompatibleRouteIsTheFirstChoice()
    {
        RoutePlan plan(lane());
        plan.advance();
        plan.advance();
        plan.noteCompatible(QStringLiteral("b"));
        plan.noteCompatible(QStringLiteral("cheap"));
        QCOMPARE(plan.firstChoice(), QStringLiteral("b"));
    }

    void aPolicyRefusalLeavesOnlyUntriedPolicyFallbacks()
    {
        RoutePlan plan(lane());
        QVERIFY(plan.advance()); // a refuses on content policy
        const QStringList tried { QStringLiteral("a") };
        QCOMPARE(plan.untriedPolicyFallbacks(tried), QStringList({ "lenient", "b" }));
        plan.restrictToPolicyFallbacks(tried);
        QVERIFY(plan.policyRestricted());
        QStringList rest;
        while (plan.advance())
            rest.append(plan.current());
        QCOMPARE(rest, QStringList({ "lenient", "b" }));
        QCOMPARE(plan.untriedPolicyFallbacks({ "a", "lenient", "b" }), QStringList());
    }

    void onePanicAttemptAndOnlyWhenNothingWasCalled()
    {
        RoutePlan plan(lane());
        while (plan.advance())
            plan.noteHeldByBreaker(plan.current());
        QVERIFY(!plan.mayPanic(1)); // a call was made: its answer stands
        QVERIFY(plan.mayPanic(0));
        plan.panicOn(QStringLiteral("b"));
        QCOMPARE(plan.current(), QStringLiteral("b"));
        QVERIFY(plan.panicking());
        QVERIFY(!plan.mayPanic(0));
        QVERIFY(!plan.advance());
    }

    void withoutADegradedRouteThePlanIsTheChain()
    {
        RoutingTarget target = lane();
        target.degraded.clear();
        RoutePlan plan(target);
        QCOMPARE(plan.routes(), QStringList({ "a", "b" }));
    }
};

QTEST_GUILESS_MAIN(RoutePlanTest)
#include "tst_routeplan.moc"
