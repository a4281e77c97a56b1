#include "routing/attemptdecision.h"
#include "routing/clock.h"

#include <QTest>

using namespace Switchyard;

Q_DECLARE_METATYPE(Switchyard::FailureClass)
Q_DECLARE_METATYPE(Switchyard::AttemptVerdict::Action)

// The retry-or-fall-back table (SPEC §6), row by row, without a network: what each class does,
// and how the retry policy, the deadline, the breaker and a drill bound it.
class AttemptDecisionTest final : public QObject {
    Q_OBJECT

private:
    static AttemptFacts facts(FailureClass failureClass)
    {
        AttemptFacts facts;
        facts.classification.failureClass = failureClass;
        facts.retry.maxRetries = 1;
        facts.retry.baseMs = 200;
        facts.retry.maxMs = 2000;
        facts.retry.maxRetryAfterMs = 3000;
        facts.remainingDeadlineMs = 30000;
        facts.maxCooldownMs = 60000;
        facts.unitRandom = 0.5;
        return facts;
    }

private Q_SLOTS:
    void table_data()
    {
        using Action = AttemptVerdict::Action;
        QTest::addColumn<FailureClass>("failureClass");
        QTest::addColumn<qint64>("retryAfterMs"); // -1: none named
        QTest::addColumn<bool>("retryable");
        QTest::addColumn<int>("retriesDone");
        QTest::addColumn<bool>("routeUsable");
        QTest::addColumn<qint64>("deadlineLeftMs");
        QTest::addColumn<bool>("drill");
        QTest::addColumn<bool>("policyFallbackLeft");
        QTest::addColumn<Action>("action");
        QTest::addColumn<bool>("needsBudget");
        QTest::addColumn<qint64>("cooldownMs");
        QTest::addColumn<bool>("misconfigured");

        const qint64 none = -1;
        QTest::newRow("ok returns") << FailureClass::Ok << none << true << 0 << true << 30000LL
                                    << false << false << Action::Return << false << 0LL << false;
        QTest::newRow("caller error returns, never retried")
            << FailureClass::CallerError << none << true << 0 << true << 30000LL << false << false
            << Action::Return << false << 0LL << false;
        QTest::newRow("cancelled ends as 499")
            << FailureClass::Cancelled << none << true << 0 << true << 30000LL << false << false
            << Action::Cancel << false << 0LL << false;
        QTest::newRow("content policy with a policy fallback left")
            << FailureClass::ContentPolicy << none << true << 0 << true << 30000LL << false << true
            << Action::PolicyFallback << false << 0LL << false;
        QTest::newRow("content policy without one returns the refusal")
            << FailureClass::ContentPolicy << none << true << 0 << true << 30000LL << false << false
            << Action::Return << false << 0LL << false;
        QTest::newRow("transient retries, with the route's budget")
            << FailureClass::Transient << none << true << 0 << true << 30000LL << false << false
            << Action::Retry << true << 0LL << false;
        QTest::newRow("transient not retryable falls back at once")
            << FailureClass::Transient << none << false << 0 << true << 30000LL << false << false
            << Action::Fallback << false << 0LL << false;
        QTest::newRow("transient with its retries spent falls back")
            << FailureClass::Transient << none << true << 1 << true << 30000LL << false << false
            << Action::Fallback << false << 0LL << false;
        QTest::newRow("transient on a route whose breaker opened falls back")
            << FailureClass::Transient << none << true << 0 << false << 30000LL << false << false
            << Action::Fallback << false << 0LL << false;
        QTest::newRow("transient when the backoff outlasts the deadline falls back")
            << FailureClass::Transient << none << true << 0 << true << 10LL << false << false
            << Action::Fallback << false << 0LL << false;
        QTest::newRow("a drill's retry costs no budget")
            << FailureClass::Transient << none << true << 0 << true << 30000LL << true << false
            << Action::Retry << false << 0LL << false;
        QTest::newRow("rate limited with a short Retry-After waits for it")
            << FailureClass::RateLimited << 1000LL << true << 0 << true << 30000LL << false << false
            << Action::Retry << true << 1000LL << false;
        QTest::newRow("rate limited with a long Retry-After falls back and cools the route")
            << FailureClass::RateLimited << 20000LL << true << 0 << true << 30000LL << false
            << false << Action::Fallback << false << 20000LL << false;
        QTest::newRow("an upstream's day-long Retry-After is clamped")
            << FailureClass::RateLimited << 86400000LL << true << 0 << true << 30000LL << false
            << false << Action::Fallback << false << 60000LL << false;
        QTest::newRow("rate limited in a drill leaves no cooldown")
            << FailureClass::RateLimited << 20000LL << true << 0 << true << 30000LL << true << false
            << Action::Fallback << false << 0LL << false;
        QTest::newRow("rate limited without Retry-After backs off")
            << FailureClass::RateLimited << none << true << 0 << true << 30000LL << false << false
            << Action::Retry << true << 0LL << false;
        QTest::newRow("auth error falls back and flags the route")
            << FailureClass::AuthError << none << true << 0 << true << 30000LL << false << false
            << Action::Fallback << false << 0LL << true;
        QTest::newRow("auth error in a drill flags nothing")
            << FailureClass::AuthError << none << true << 0 << true << 30000LL << true << false
            << Action::Fallback << false << 0LL << false;
        for (FailureClass failureClass : { FailureClass::Incompatible,
                 FailureClass::ContractViolation, FailureClass::Budget, FailureClass::MidStream })
            QTest::newRow(
                qPrintable(failureClassName(failureClass) + QStringLiteral(" falls back")))
                << failureClass << none << true << 0 << true << 30000LL << false << false
                << Action::Fallback << false << 0LL << false;
    }

    void table()
    {
        QFETCH(FailureClass, failureClass);
        QFETCH(qint64, retryAfterMs);
        QFETCH(bool, retryable);
        QFETCH(int, retriesDone);
        QFETCH(bool, routeUsable);
        QFETCH(qint64, deadlineLeftMs);
        QFETCH(bool, drill);
        QFETCH(bool, policyFallbackLeft);
        QFETCH(AttemptVerdict::Action, action);
        QFETCH(bool, needsBudget);
        QFETCH(qint64, cooldownMs);
        QFETCH(bool, misconfigured);

        AttemptFacts input = facts(failureClass);
        input.classification.retryAfterMs = retryAfterMs;
        input.classification.retryable = retryable;
        input.retriesDone = retriesDone;
        input.routeStillUsable = routeUsable;
        input.remainingDeadlineMs = deadlineLeftMs;
        input.drill = drill;
        input.policyFallbackLeft = policyFallbackLeft;
        const AttemptVerdict verdict = decideAfterAttempt(input);
        QCOMPARE(verdict.action, action);
        QCOMPARE(verdict.retryNeedsBudget, needsBudget);
        if (action == AttemptVerdict::Action::Fallback || failureClass == FailureClass::RateLimited)
            QCOMPARE(verdict.cooldownMs, cooldownMs);
        QCOMPARE(verdict.markMisconfigured, misconfigured);
    }

    void aSilentRouteIsNotWaitedForTwice()
    {
        // A first-byte or first-token timeout: waiting on the same route again doubles the wait.
        AttemptFacts silent = facts(FailureClass::Transient);
        silent.classification.silent = true;
        QCOMPARE(decideAfterAttempt(silent).action, AttemptVerdict::Action::Fallback);
        // Unless the lane asks for it.
        silent.retry.retrySilent = true;
        QCOMPARE(decideAfterAttempt(silent).action, AttemptVerdict::Action::Retry);
        // A timeout after the route did answer (idle, total) is retried as before.
        AttemptFacts idle = facts(FailureClass::Transient);
        QCOMPARE(decideAfterAttempt(idle).action, AttemptVerdict::Action::Retry);
    }

    void aConnectionClosedOnReuseIsRetriedAtOnce()
    {
        AttemptFacts reused = facts(FailureClass::Transient);
        reused.classification.retryAtOnce = true;
        const AttemptVerdict verdict = decideAfterAttempt(reused);
        QCOMPARE(verdict.action, AttemptVerdict::Action::Retry);
        QCOMPARE(verdict.delayMs, 0);
        QVERIFY(verdict.retryNeedsBudget); // a retry like any other
        reused.retriesDone = 1; // and the policy still bounds it
        QCOMPARE(decideAfterAttempt(reused).action, AttemptVerdict::Action::Fallback);
    }

    void whatAVerdictLeavesOnTheRoute()
    {
        ManualClock clock;
        RouteState route(QStringLiteral("r"), clock);
        // A retry the route's budget refuses becomes a fallback.
        AttemptFacts transient = facts(FailureClass::Transient);
        transient.retry.budgetRatio = 0;
        transient.retry.budgetMinRetries = 0;
        QCOMPARE(decideForRoute(transient, route, clock.nowMs(), QString()).action,
            AttemptVerdict::Action::Fallback);
        // A rate limit that cannot be waited for cools the route down.
        AttemptFacts limited = facts(FailureClass::RateLimited);
        limited.classification.retryAfterMs = 20000;
        QCOMPARE(decideForRoute(limited, route, clock.nowMs(), QString()).action,
            AttemptVerdict::Action::Fallback);
        QCOMPARE(route.cooldownUntilMs, clock.nowMs() + 20000);
        // An auth failure flags it, with the reason given.
        decideForRoute(facts(FailureClass::AuthError), route, clock.nowMs(), QStringLiteral("401"));
        QCOMPARE(route.misconfiguredReason, QStringLiteral("401"));
        // An open breaker: no retry on it, whatever the policy allows.
        for (int i = 0; i < 5; ++i)
            route.breaker.recordFailure(10, false, QStringLiteral("503"));
        QCOMPARE(route.breaker.state(), BreakerState::Open);
        QCOMPARE(
            decideForRoute(facts(FailureClass::Transient), route, clock.nowMs(), QString()).action,
            AttemptVerdict::Action::Fallback);
    }

    void retryDelays()
    {
        AttemptFacts input = facts(FailureClass::RateLimited);
        input.classification.retryAfterMs = 1500;
        QCOMPARE(decideAfterAttempt(input).delayMs, 1500); // the upstream's word, not a backoff

        input = facts(FailureClass::Transient);
        input.retry.baseMs = 100;
        input.retry.maxMs = 100;
        const qint64 delay = decideAfterAttempt(input).delayMs;
        QVERIFY2(delay >= 0 && delay <= 100, qPrintable(QString::number(delay)));
    }
};

QTEST_GUILESS_MAIN(AttemptDecisionTest)
#include "tst_attemptdecision.moc"
