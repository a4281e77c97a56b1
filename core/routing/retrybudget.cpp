#include "routing/retrybudget.h"

#include "routing/clock.h"

#include <algorithm>
#include <cmath>

namespace Switchyard {

qint64 backoffDelayMs(const RetryPolicy &policy, int retryIndex, double unitRandom)
{
    const double exponential
        = double(policy.baseMs) * std::ldexp(1.0, std::clamp(retryIndex, 0, 30));
    const double ceiling = std::min(double(policy.maxMs), exponential);
    return qint64(std::clamp(unitRandom, 0.0, 1.0) * ceiling);
}

RetryBudget::RetryBudget(const Clock &clock)
    : m_clock(clock)
{
}

RetryBudget::Bucket &RetryBudget::currentBucket()
{
    const qint64 second = m_clock.nowMs() / 1000;
    Bucket &bucket = m_buckets[size_t(second % BucketCount)];
    if (bucket.second != second)
        bucket = Bucket { second, 0, 0 };
    return bucket;
}

template <typename Field> int RetryBudget::sum(Field field) const
{
    const qint64 second = m_clock.nowMs() / 1000;
    int total = 0;
    for (const Bucket &bucket : m_buckets) {
        if (bucket.second > second - BucketCount && bucket.second <= second)
            total += bucket.*field;
    }
    return total;
}

void RetryBudget::recordRequest()
{
    ++currentBucket().requests;
}

bool RetryBudget::tryAcquireRetry(double budgetRatio, int minRetries)
{
    const double allowed = budgetRatio * requestsInWindow() + minRetries;
    if (retriesInWindow() + 1 > allowed)
        return false;
    ++currentBucket().retries;
    return true;
}

int RetryBudget::requestsInWindow() const
{
    return sum(&Bucket::requests);
}

int RetryBudget::retriesInWindow() const
{
    return sum(&Bucket::retries);
}

} // namespace Switchyard
