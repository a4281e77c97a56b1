#include "routing/clock.h"
#include "routing/retrybudget.h"

#include <QTest>

using namespace Switchyard;

class RetryBudgetTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void backoff_data()
    {
        QTest::addColumn<int>("baseMs");
        QTest::addColumn<int>("maxMs");
        QTest::addColumn<int>("retryIndex");
        QTest::addColumn<double>("random");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("first, top of range") << 200 << 2000 << 0 << 0.999999 << qint64(199);
        QTest::newRow("first, middle") << 200 << 2000 << 0 << 0.5 << qint64(100);
        QTest::newRow("second doubles") << 200 << 2000 << 1 << 0.5 << qint64(200);
        QTest::newRow("third doubles again") << 200 << 2000 << 2 << 0.5 << qint64(400);
        QTest::newRow("capped at max") << 200 << 2000 << 6 << 0.5 << qint64(1000);
        QTest::newRow("huge index stays capped") << 200 << 2000 << 1000 << 0.5 << qint64(1000);
        QTest::newRow("full jitter reaches zero") << 200 << 2000 << 3 << 0.0 << qint64(0);
        QTest::newRow("zero base") << 0 << 0 << 2 << 0.7 << qint64(0);
    }

    void backoff()
    {
        QFETCH(int, baseMs);
        QFETCH(int, maxMs);
        QFETCH(int, retryIndex);
        QFETCH(double, random);
        QFETCH(qint64, expected);
        RetryPolicy policy;
        policy.baseMs = baseMs;
        policy.maxMs = maxMs;
        QCOMPARE(backoffDelayMs(policy, retryIndex, random), expected);
    }

    void budgetAllowsRatioOfRequestsPlusFloor_data()
    {
        QTest::addColumn<int>("requests");
        QTest::addColumn<double>("ratio");
        QTest::addColumn<int>("minRetries");
        QTest::addColumn<int>("allowed");
        QTest::newRow("floor only") << 0 << 0.2 << 3 << 3;
        QTest::newRow("ratio of 100") << 100 << 0.2 << 0 << 20;
        QTest::newRow("ratio plus floor") << 100 << 0.2 << 3 << 23;
        QTest::newRow("no retries at all") << 100 << 0.0 << 0 << 0;
        QTest::newRow("fraction rounds down") << 9 << 0.2 << 0 << 1;
    }

    void budgetAllowsRatioOfRequestsPlusFloor()
    {
        QFETCH(int, requests);
        QFETCH(double, ratio);
        QFETCH(int, minRetries);
        QFETCH(int, allowed);
        ManualClock clock;
        RetryBudget budget(clock);
        for (int i = 0; i < requests; ++i)
            budget.recordRequest();
        int granted = 0;
        while (granted < 1000 && budget.tryAcquireRetry(ratio, minRetries))
            ++granted;
        QCOMPARE(granted, allowed);
        QCOMPARE(budget.retriesInWindow(), allowed);
    }

    void windowSlidesWithTheClock()
    {
        ManualClock clock;
        RetryBudget budget(clock);
        for (int i = 0; i < 50; ++i)
            budget.recordRequest();
        for (int i = 0; i < 10; ++i)
            QVERIFY(budget.tryAcquireRetry(0.2, 0));
        QVERIFY(!budget.tryAcquireRetry(0.2, 0));

        clock.advance(5000); // half a window: everything still counts
        QCOMPARE(budget.requestsInWindow(), 50);
        QVERIFY(!budget.tryAcquireRetry(0.2, 0));

        clock.advance(5000); // the first second has slid out
        QCOMPARE(budget.requestsInWindow(), 0);
        QCOMPARE(budget.retriesInWindow(), 0);
        QVERIFY(budget.tryAcquireRetry(0.2, 1));
        QVERIFY(!budget.tryAcquireRetry(0.2, 1));
    }

    void oldBucketsAreNotResurrected()
    {
        ManualClock clock;
        RetryBudget budget(clock);
        budget.recordRequest();
        clock.advance(RetryBudget::WindowMs * 3); // same bucket index, three windows later
        QCOMPARE(budget.requestsInWindow(), 0);
        budget.recordRequest();
        QCOMPARE(budget.requestsInWindow(), 1);
    }
};

QTEST_GUILESS_MAIN(RetryBudgetTest)
#include "tst_retrybudget.moc"
