#pragma once

#include "config/config.h"

#include <array>

namespace Switchyard {

class Clock;

// Exponential backoff with full jitter: a uniform delay in [0, min(max, base·2^retryIndex)].
// `unitRandom` is a number in [0, 1), injected so tests can pin it.
qint64 backoffDelayMs(const RetryPolicy &policy, int retryIndex, double unitRandom);

// Per-route retry budget over a sliding 10 s window: retries may not exceed
// budgetRatio × requests + budgetMinRetries, so an outage cannot become a retry storm.
class RetryBudget final {
public:
    static constexpr int WindowMs = 10000;

    explicit RetryBudget(const Clock &clock);

    void recordRequest();
    // Takes one retry from the budget if the budget allows it; false otherwise.
    bool tryAcquireRetry(double budgetRatio, int minRetries);

    int requestsInWindow() const;
    int retriesInWindow() const;

private:
    static constexpr int BucketCount = 10;
    struct Bucket {
        qint64 second = -1;
        int requests = 0;
        int retries = 0;
    };

    Bucket &currentBucket();
    template <typename Field> int sum(Field field) const;

    const Clock &m_clock;
    std::array<Bucket, BucketCount> m_buckets {};
};

} // namespace Switchyard
