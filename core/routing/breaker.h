#pragma once

#include "config/config.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>

#include <functional>
#include <optional>
#include <vector>

namespace Switchyard {

class Clock;

enum class BreakerState { Closed, Open, HalfOpen, Recovering, Drained, Drilling };
QString breakerStateName(BreakerState state);
// The state as the console and reports name it to a person, translated ("Half-open").
QString breakerStateLabel(BreakerState state);
std::optional<BreakerState> parseBreakerState(QStringView name);

// A fault an operator injects into a route for a while (SPEC §7).
enum class DrillFault {
    ServiceUnavailable,
    RateLimited,
    Timeout,
    ConnectionRefused,
    MalformedBody
};
QString drillFaultName(DrillFault fault);
bool parseDrillFault(const QString &name, DrillFault *fault);

// What a health probe asked: whether the host answers (a models list), or whether the API works
// (a one-token completion). Only the second is a signal about the route's calls.
enum class ProbeSignal { Liveness, Completion };

// Every change of a route's state: when, which route, from, to, why, and who caused it.
struct StateEvent {
    QDateTime time;
    QString route;
    BreakerState from = BreakerState::Closed;
    BreakerState to = BreakerState::Closed;
    QString reason;
    bool byOperator = false;
    // A configuration change (a reload, an edit, a refused file) and the fleet's link (Redis
    // lost, back) are logged beside the routes' changes: `route` and the states are then empty,
    // `reason` says what happened.
    enum class Kind { Route, Config, Fleet };
    Kind kind = Kind::Route;
    bool isConfig() const { return kind == Kind::Config; }
    bool isRoute() const { return kind == Kind::Route; }
    QString kindName() const;
    static Kind kindNamed(QStringView name);
};

// The circuit breaker of one route (SPEC §7): a pure state machine over an injected clock.
// It never calls the network; the engine feeds it outcomes and asks it for admission.
class CircuitBreaker final {
public:
    enum class Admission {
        Allow, // ordinary traffic
        Trial, // a half-open trial call: its outcome decides the state
        Drill, // the route is drilling: answer with the injected fault
        Denied, // open, drained, or out of the trial budget
        ShareDenied // recovering, and this request falls outside the route's current share
    };
    using EventSink = std::function<void(const StateEvent &)>;

    CircuitBreaker(QString route, const Clock &clock);

    void setSettings(const BreakerSettings &breaker, const RecoverySettings &recovery);
    void setEventSink(EventSink sink) { m_sink = std::move(sink); }

    // Moves time-driven transitions along: cooldown over, recovery step due, drill over.
    void tick();
    // May a request use the route now? `unitRandom` in [0, 1) decides a recovering route's share.
    Admission admit(double unitRandom);
    // An outcome that counts for the breaker; `trial` when admission said Trial. A trial's verdict
    // counts only within the half-open period that granted it (`trialEpoch`, from epoch()).
    void recordSuccess(qint64 durationMs, bool trial, int trialEpoch = -1);
    void recordFailure(qint64 durationMs, bool trial, const QString &reason, int trialEpoch = -1);
    // A probe's result. A completion probe is a real call: a trial when half-open, a call in the
    // window when closed, and, when open past the base cooldown, an answer ends the cooldown
    // (half-open, with this probe its first trial). A liveness probe never moves the state: a
    // models list that answers says nothing about completions.
    void recordProbe(bool ok, qint64 durationMs, const QString &reason, ProbeSignal signal);
    // Open, and past the base cooldown: a completion probe may end the rest of it.
    bool mayEndCooldownEarly() const;
    // A half-open trial that never produced an outcome (the client left): give the slot back.
    void releaseTrial(int trialEpoch = -1);
    // Counts the half-open periods, so that a late trial cannot speak for a newer one.
    int epoch() const { return m_epoch; }

    // Operator actions; `where` names another instance of the fleet where the operator acted.
    void drain(const QString &where = QString());
    void restore(bool staged, const QString &where = QString());
    void stageRecovery(const QString &where = QString());
    // Another instance of the fleet opened this route's breaker: it stays open here as well for
    // `cooldownMs` (a closed or recovering route opens; an open one keeps the later end). What
    // follows — trials, recovery — is decided here from this instance's own results.
    void honourFleetOpen(qint64 cooldownMs, const QString &reason);
    void startDrill(DrillFault fault, int seconds);

    BreakerState state() const { return m_state; }
    // Wall clock, for people: when the current state began (0 before any change).
    qint64 stateSinceUtcMs() const { return m_stateSinceUtcMs; }
    QString route() const { return m_route; }
    qint64 cooldownRemainingMs() const;
    int recoveryStep() const { return m_recoveryStep; }
    int recoveryStepCount() const { return int(m_recovery.steps.size()); }
    double trafficShare() const;
    qint64 stepRemainingMs() const;
    double failureRate() const;
    int callsInWindow() const { return int(m_window.size()); }
    int consecutiveFailures() const { return m_consecutiveFailures; }
    int trialsAvailable() const;
    DrillFault drillFault() const { return m_drillFault; }
    qint64 drillRemainingMs() const;

private:
    struct Call {
        bool failed = false;
        bool slow = false;
    };

    void transition(BreakerState to, const QString &reason, bool byOperator = false);
    void open(const QString &reason, bool escalate);
    void openFor(qint64 cooldownMs, const QString &reason);
    void enterRecovering(const QString &reason, bool byOperator);
    void resetWindow();
    void recordCall(bool failed, qint64 durationMs);

    QString m_route;
    const Clock &m_clock;
    BreakerSettings m_settings;
    RecoverySettings m_recovery;
    EventSink m_sink;

    BreakerState m_state = BreakerState::Closed;
    std::vector<Call> m_window; // the last `window` calls, oldest first
    int m_consecutiveFailures = 0;
    qint64 m_cooldownMs = 0;
    qint64 m_openUntilMs = 0;
    qint64 m_openedAtMs = 0;
    qint64 m_stateSinceUtcMs = 0;
    int m_trialsIssued = 0;
    int m_trialsSucceeded = 0;
    int m_epoch = 0;
    int m_recoveryStep = 0;
    qint64 m_stepStartedMs = 0;
    DrillFault m_drillFault = DrillFault::ServiceUnavailable;
    qint64 m_drillUntilMs = 0;
};

} // namespace Switchyard

Q_DECLARE_METATYPE(Switchyard::StateEvent)
