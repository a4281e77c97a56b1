#include "routing/breaker.h"

#include <QCoreApplication>

#include "routing/clock.h"

#include <algorithm>

namespace Switchyard {

QString breakerStateName(BreakerState state)
{
    switch (state) {
    case BreakerState::Closed:
        return QStringLiteral("closed");
    case BreakerState::Open:
        return QStringLiteral("open");
    case BreakerState::HalfOpen:
        return QStringLiteral("half_open");
    case BreakerState::Recovering:
        return QStringLiteral("recovering");
    case BreakerState::Drained:
        return QStringLiteral("drained");
    case BreakerState::Drilling:
        return QStringLiteral("drilling");
    }
    return QString();
}

QString breakerStateLabel(BreakerState state)
{
    // One wording wherever a state is shown: the routes, events, fleet, history and reports.
    switch (state) {
    case BreakerState::Closed:
        return QCoreApplication::translate(
            "Switchyard::BreakerState", "Closed", "breaker state: traffic flows");
    case BreakerState::Open:
        return QCoreApplication::translate(
            "Switchyard::BreakerState", "Open", "breaker state: no traffic");
    case BreakerState::HalfOpen:
        return QCoreApplication::translate("Switchyard::BreakerState", "Half-open");
    case BreakerState::Recovering:
        return QCoreApplication::translate("Switchyard::BreakerState", "Recovering");
    case BreakerState::Drained:
        return QCoreApplication::translate("Switchyard::BreakerState", "Drained");
    case BreakerState::Drilling:
        return QCoreApplication::translate("Switchyard::BreakerState", "Drilling");
    }
    return breakerStateName(state);
}

std::optional<BreakerState> parseBreakerState(QStringView name)
{
    for (BreakerState state : { BreakerState::Closed, BreakerState::Open, BreakerState::HalfOpen,
             BreakerState::Recovering, BreakerState::Drained, BreakerState::Drilling }) {
        if (breakerStateName(state) == name)
            return state;
    }
    return std::nullopt;
}

QString drillFaultName(DrillFault fault)
{
    switch (fault) {
    case DrillFault::ServiceUnavailable:
        return QStringLiteral("503");
    case DrillFault::RateLimited:
        return QStringLiteral("429");
    case DrillFault::Timeout:
        return QStringLiteral("timeout");
    case DrillFault::ConnectionRefused:
        return QStringLiteral("refused");
    case DrillFault::MalformedBody:
        return QStringLiteral("malformed");
    }
    return QString();
}

bool parseDrillFault(const QString &name, DrillFault *fault)
{
    for (DrillFault candidate : { DrillFault::ServiceUnavailable, DrillFault::RateLimited,
             DrillFault::Timeout, DrillFault::ConnectionRefused, DrillFault::MalformedBody }) {
        if (drillFaultName(candidate) == name) {
            *fault = candidate;
            return true;
        }
    }
    return false;
}

CircuitBreaker::CircuitBreaker(QString route, const Clock &clock)
    : m_route(std::move(route))
    , m_clock(clock)
{
    m_cooldownMs = m_settings.cooldownMs;
}

void CircuitBreaker::setSettings(const BreakerSettings &breaker, const RecoverySettings &recovery)
{
    const bool cooldownWasBase = m_cooldownMs == m_settings.cooldownMs;
    m_settings = breaker;
    m_recovery = recovery;
    if (cooldownWasBase || m_cooldownMs < breaker.cooldownMs)
        m_cooldownMs = breaker.cooldownMs;
    m_cooldownMs = std::min<qint64>(m_cooldownMs, breaker.maxCooldownMs);
    if (m_recoveryStep >= int(m_recovery.steps.size()))
        m_recoveryStep = int(m_recovery.steps.size()) - 1;
    while (int(m_window.size()) > m_settings.window)
        m_window.erase(m_window.begin());
}

QString StateEvent::kindName() const
{
    switch (kind) {
    case Kind::Route:
        break;
    case Kind::Config:
        return QStringLiteral("config");
    case Kind::Fleet:
        return QStringLiteral("fleet");
    }
    return QStringLiteral("route");
}

StateEvent::Kind StateEvent::kindNamed(QStringView name)
{
    if (name == u"config")
        return Kind::Config;
    if (name == u"fleet")
        return Kind::Fleet;
    return Kind::Route;
}

void CircuitBreaker::transition(BreakerState to, const QString &reason, bool byOperator)
{
    const BreakerState from = m_state;
    m_state = to;
    if (from != to)
        m_stateSinceUtcMs = QDateTime::currentMSecsSinceEpoch();
    if (m_sink && from != to)
        m_sink(
            StateEvent { QDateTime::currentDateTimeUtc(), m_route, from, to, reason, byOperator });
}

void CircuitBreaker::resetWindow()
{
    m_window.clear();
    m_consecutiveFailures = 0;
}

void CircuitBreaker::open(const QString &reason, bool escalate)
{
    // A failed probe of recovery means the route is still sick: wait twice as long next time.
    if (escalate)
        m_cooldownMs = std::min<qint64>(m_cooldownMs * 2, m_settings.maxCooldownMs);
    openFor(m_cooldownMs, reason);
}

void CircuitBreaker::openFor(qint64 cooldownMs, const QString &reason)
{
    m_openedAtMs = m_clock.nowMs();
    m_openUntilMs = m_openedAtMs + cooldownMs;
    ++m_epoch;
    m_trialsIssued = 0;
    m_trialsSucceeded = 0;
    resetWindow();
    transition(BreakerState::Open, reason);
}

void CircuitBreaker::enterRecovering(const QString &reason, bool byOperator)
{
    m_recoveryStep = 0;
    m_stepStartedMs = m_clock.nowMs();
    resetWindow();
    if (m_recovery.steps.size() <= 1) {
        m_cooldownMs = m_settings.cooldownMs;
        transition(BreakerState::Closed, reason, byOperator);
        return;
    }
    transition(BreakerState::Recovering, reason, byOperator);
}

void CircuitBreaker::tick()
{
    const qint64 now = m_clock.nowMs();
    switch (m_state) {
    case BreakerState::Open:
        if (now >= m_openUntilMs) {
            m_trialsIssued = 0;
            m_trialsSucceeded = 0;
            transition(
                BreakerState::HalfOpen, QStringLiteral("cooldown of %1 ms over").arg(m_cooldownMs));
        }
        break;
    case BreakerState::Recovering:
        while (m_state == BreakerState::Recovering && now - m_stepStartedMs >= m_recovery.stepMs) {
            m_stepStartedMs += m_recovery.stepMs;
            ++m_recoveryStep;
            if (m_recoveryStep >= int(m_recovery.steps.size()) - 1) {
                m_cooldownMs = m_settings.cooldownMs;
                resetWindow();
                transition(
                    BreakerState::Closed, QStringLiteral("recovery complete: full traffic share"));
            }
        }
        break;
    case BreakerState::Drilling:
        if (now >= m_drillUntilMs) {
            resetWindow();
            transition(BreakerState::Closed, QStringLiteral("drill over; back to automatic"));
        }
        break;
    default:
        break;
    }
}

CircuitBreaker::Admission CircuitBreaker::admit(double unitRandom)
{
    tick();
    switch (m_state) {
    case BreakerState::Closed:
        return Admission::Allow;
    case BreakerState::Open:
    case BreakerState::Drained:
        return Admission::Denied;
    case BreakerState::HalfOpen:
        if (m_trialsIssued < m_settings.halfOpenCalls) {
            ++m_trialsIssued;
            return Admission::Trial;
        }
        return Admission::Denied;
    case BreakerState::Recovering:
        return unitRandom < trafficShare() ? Admission::Allow : Admission::ShareDenied;
    case BreakerState::Drilling:
        return Admission::Drill;
    }
    return Admission::Denied;
}

void CircuitBreaker::releaseTrial(int trialEpoch)
{
    if (m_state == BreakerState::HalfOpen && m_trialsIssued > 0
        && (trialEpoch < 0 || trialEpoch == m_epoch))
        --m_trialsIssued;
}

void CircuitBreaker::recordCall(bool failed, qint64 durationMs)
{
    m_window.push_back(Call { failed, durationMs >= m_settings.slowCallMs });
    while (int(m_window.size()) > m_settings.window)
        m_window.erase(m_window.begin());
    m_consecutiveFailures = failed ? m_consecutiveFailures + 1 : 0;

    if (m_consecutiveFailures >= m_settings.consecutiveFailures) {
        open(QStringLiteral("%1 consecutive failures").arg(m_consecutiveFailures), false);
        return;
    }
    const int calls = int(m_window.size());
    if (calls < m_settings.minCalls)
        return;
    const auto failures
        = std::count_if(m_window.cbegin(), m_window.cend(), [](const Call &c) { return c.failed; });
    const auto slow
        = std::count_if(m_window.cbegin(), m_window.cend(), [](const Call &c) { return c.slow; });
    if (double(failures) / calls >= m_settings.failureRate) {
        open(QStringLiteral("failure rate %1% over the last %2 calls")
                 .arg(qRound(100.0 * failures / calls))
                 .arg(calls),
            false);
    } else if (double(slow) / calls >= m_settings.slowCallRate) {
        open(QStringLiteral("slow-call rate %1% (≥ %2 ms) over the last %3 calls")
                 .arg(qRound(100.0 * slow / calls))
                 .arg(m_settings.slowCallMs)
                 .arg(calls),
            false);
    }
}

void CircuitBreaker::recordSuccess(qint64 durationMs, bool trial, int trialEpoch)
{
    tick();
    if (trial && trialEpoch >= 0 && trialEpoch != m_epoch)
        return; // granted in an earlier half-open period
    switch (m_state) {
    case BreakerState::Closed:
        recordCall(false, durationMs);
        break;
    case BreakerState::HalfOpen:
        if (trial && ++m_trialsSucceeded >= m_settings.halfOpenCalls)
            enterRecovering(
                QStringLiteral("%1 trial call(s) succeeded").arg(m_trialsSucceeded), false);
        break;
    default:
        break; // recovering advances with time; other states ignore traffic outcomes
    }
}

void CircuitBreaker::recordFailure(
    qint64 durationMs, bool trial, const QString &reason, int trialEpoch)
{
    tick();
    if (trial && trialEpoch >= 0 && trialEpoch != m_epoch)
        return; // granted in an earlier half-open period
    switch (m_state) {
    case BreakerState::Closed:
        recordCall(true, durationMs);
        break;
    case BreakerState::HalfOpen:
        if (trial)
            open(QStringLiteral("trial call failed: %1").arg(reason), true);
        break;
    case BreakerState::Recovering:
        open(QStringLiteral("failure during recovery step %1: %2")
                 .arg(m_recoveryStep + 1)
                 .arg(reason),
            true);
        break;
    default:
        break;
    }
}

bool CircuitBreaker::mayEndCooldownEarly() const
{
    return m_state == BreakerState::Open && m_clock.nowMs() >= m_openedAtMs + m_settings.cooldownMs;
}

void CircuitBreaker::recordProbe(
    bool ok, qint64 durationMs, const QString &reason, ProbeSignal signal)
{
    tick();
    if (signal == ProbeSignal::Liveness)
        return; // noted by the caller; no evidence about completions either way
    if (ok && mayEndCooldownEarly()) {
        m_trialsIssued = 0;
        m_trialsSucceeded = 0;
        transition(BreakerState::HalfOpen,
            QStringLiteral("a completion probe answered %1 ms into a cooldown of %2 ms")
                .arg(m_clock.nowMs() - m_openedAtMs)
                .arg(m_cooldownMs));
    }
    if (m_state == BreakerState::HalfOpen) {
        // A probe is a trial call that needs no user request.
        if (m_trialsIssued >= m_settings.halfOpenCalls)
            return;
        ++m_trialsIssued;
        if (ok)
            recordSuccess(durationMs, true);
        else
            recordFailure(durationMs, true, QStringLiteral("probe: ") + reason);
        return;
    }
    if (m_state == BreakerState::Closed) {
        if (ok)
            recordSuccess(durationMs, false);
        else
            recordFailure(durationMs, false, QStringLiteral("probe: ") + reason);
    }
}

namespace {

QString operatorReason(const QString &what, const QString &where)
{
    return where.isEmpty() ? what : QStringLiteral("%1 on instance %2").arg(what, where);
}

} // namespace

void CircuitBreaker::drain(const QString &where)
{
    transition(
        BreakerState::Drained, operatorReason(QStringLiteral("drained by operator"), where), true);
}

void CircuitBreaker::restore(bool staged, const QString &where)
{
    if (staged) {
        enterRecovering(operatorReason(QStringLiteral("staged restore by operator"), where), true);
        return;
    }
    resetWindow();
    m_cooldownMs = m_settings.cooldownMs;
    transition(
        BreakerState::Closed, operatorReason(QStringLiteral("restored by operator"), where), true);
}

void CircuitBreaker::stageRecovery(const QString &where)
{
    enterRecovering(operatorReason(QStringLiteral("recovery staged by operator"), where), true);
}

void CircuitBreaker::honourFleetOpen(qint64 cooldownMs, const QString &reason)
{
    const qint64 now = m_clock.nowMs();
    if (m_state == BreakerState::Open) {
        m_openUntilMs = std::max(m_openUntilMs, now + cooldownMs);
        return;
    }
    if (m_state != BreakerState::Closed && m_state != BreakerState::Recovering)
        return; // half-open is testing already; a drained or drilling route is the operator's
    openFor(cooldownMs, reason);
}

void CircuitBreaker::startDrill(DrillFault fault, int seconds)
{
    m_drillFault = fault;
    m_drillUntilMs = m_clock.nowMs() + qint64(seconds) * 1000;
    transition(BreakerState::Drilling,
        QStringLiteral("drill: %1 for %2 s").arg(drillFaultName(fault)).arg(seconds), true);
}

qint64 CircuitBreaker::cooldownRemainingMs() const
{
    return m_state == BreakerState::Open ? std::max<qint64>(0, m_openUntilMs - m_clock.nowMs()) : 0;
}

double CircuitBreaker::trafficShare() const
{
    switch (m_state) {
    case BreakerState::Closed:
    case BreakerState::Drilling:
        return 1.0;
    case BreakerState::Recovering:
        return m_recovery.steps.value(m_recoveryStep, 1.0);
    default:
        return 0.0;
    }
}

qint64 CircuitBreaker::stepRemainingMs() const
{
    if (m_state != BreakerState::Recovering)
        return 0;
    return std::max<qint64>(0, m_stepStartedMs + m_recovery.stepMs - m_clock.nowMs());
}

double CircuitBreaker::failureRate() const
{
    if (m_window.empty())
        return 0.0;
    const auto failures
        = std::count_if(m_window.cbegin(), m_window.cend(), [](const Call &c) { return c.failed; });
    return double(failures) / double(m_window.size());
}

int CircuitBreaker::trialsAvailable() const
{
    return m_state == BreakerState::HalfOpen
        ? std::max(0, m_settings.halfOpenCalls - m_trialsIssued)
        : 0;
}

qint64 CircuitBreaker::drillRemainingMs() const
{
    return m_state == BreakerState::Drilling ? std::max<qint64>(0, m_drillUntilMs - m_clock.nowMs())
                                             : 0;
}

} // namespace Switchyard
