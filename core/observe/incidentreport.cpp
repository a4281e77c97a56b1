#include "observe/incidentreport.h"

#include "observe/lanehealth.h"

#include <QDateTime>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <tuple>

namespace Switchyard {

namespace {

// Reports use UTC throughout: a post-mortem is read by people in other time zones.
QString utcTime(qint64 ms, bool withDate)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)
        .toString(withDate ? QStringLiteral("yyyy-MM-dd HH:mm:ss") : QStringLiteral("HH:mm:ss"));
}

QString duration(qint64 ms)
{
    const qint64 seconds = qMax<qint64>(0, ms) / 1000;
    if (seconds < 60)
        return IncidentReport::tr("%1 s").arg(seconds);
    const qint64 minutes = seconds / 60;
    if (minutes < 60)
        return IncidentReport::tr("%1 min").arg(minutes);
    return IncidentReport::tr("%1 h %2 min").arg(minutes / 60).arg(minutes % 60);
}

QString dollars(double usd)
{
    const double amount = qAbs(usd);
    const QString sign = usd < 0 ? QStringLiteral("-") : QString();
    return sign + QLatin1Char('$')
        + QString::number(amount, 'f', amount > 0 && amount < 0.01 ? 4 : 2);
}

QString percentOf(int part, int whole)
{
    return whole == 0 ? QStringLiteral("–")
                      : QStringLiteral("%1%").arg(100.0 * part / whole, 0, 'f', 1);
}

// One table of the report, written as Markdown or HTML from the same rows.
struct Table {
    QStringList header;
    QList<QStringList> rows;

    QString markdown() const
    {
        auto line = [](const QStringList &cells) {
            QStringList escaped;
            for (QString cell : cells) {
                cell.replace(QLatin1Char('|'), QLatin1String("\\|"));
                cell.replace(QLatin1Char('\n'), QLatin1Char(' '));
                escaped.append(cell);
            }
            return QStringLiteral("| %1 |\n").arg(escaped.join(QLatin1String(" | ")));
        };
        QString text = line(header);
        text += QStringLiteral("|%1\n").arg(QStringLiteral(" --- |").repeated(header.size()));
        for (const QStringList &row : rows)
            text += line(row);
        return text;
    }

    QString html() const
    {
        QString text = QStringLiteral("<table>\n<tr>");
        for (const QString &cell : header)
            text += QStringLiteral("<th>%1</th>").arg(cell.toHtmlEscaped());
        text += QStringLiteral("</tr>\n");
        for (const QStringList &row : rows) {
            text += QStringLiteral("<tr>");
            for (const QString &cell : row)
                text += QStringLiteral("<td>%1</td>").arg(cell.toHtmlEscaped());
            text += QStringLiteral("</tr>\n");
        }
        return text + QStringLiteral("</table>\n");
    }
};

// The report's parts in order, each a heading with paragraphs, bullets or a table.
struct Section {
    QString heading;
    QStringList paragraphs;
    QStringList bullets;
    std::optional<Table> table;
};

QString byWhom(const StateEvent &event)
{
    return event.byOperator ? IncidentReport::tr("operator") : IncidentReport::tr("automatic");
}

QList<Section> sectionsOf(const IncidentReport &report)
{
    const bool days = QDateTime::fromMSecsSinceEpoch(report.fromMs, Qt::UTC).date()
        != QDateTime::fromMSecsSinceEpoch(report.toMs, Qt::UTC).date();
    QList<Section> sections;

    Section summary;
    summary.heading = IncidentReport::tr("Summary");
    summary.bullets = {
        IncidentReport::tr("Requests: %1").arg(report.requests),
        IncidentReport::tr("Errors callers saw: %1 (%2)")
            .arg(report.failed)
            .arg(percentOf(report.failed, report.requests)),
        IncidentReport::tr("Answered by fallback: %1 (%2); by a degraded route: %3; in panic "
                           "mode: %4")
            .arg(report.fellBack)
            .arg(percentOf(report.fellBack, report.requests))
            .arg(report.degraded)
            .arg(report.panics),
        IncidentReport::tr("Spend: %1, of which on fallback routes %2; %3 more than the first "
                           "choices would have cost")
            .arg(dollars(report.spendUsd), dollars(report.fallbackSpendUsd),
                dollars(report.extraUsd)),
        IncidentReport::tr("State changes: %1; operator actions: %2")
            .arg(report.events.size() + report.eventsLeftOut)
            .arg(report.operatorActions()),
    };
    if (report.estimated)
        summary.paragraphs.append(IncidentReport::tr(
            "Plain successes are written to the store only as a sample "
            "(traces.success_sample_ratio): request counts, shares and spend are estimated from "
            "the successes kept, each counted for those it stands for. Failures, fallbacks and "
            "retries are all counted."));
    if (report.truncated)
        summary.paragraphs.append(
            IncidentReport::tr("More than %1 requests started in this range: the figures cover "
                               "the first %1.")
                .arg(IncidentReport::MaxTracesRead));
    sections.append(summary);

    Section lanes;
    lanes.heading = IncidentReport::tr("Lanes");
    if (report.lanes.isEmpty()) {
        lanes.paragraphs.append(IncidentReport::tr("No requests in this range."));
    } else {
        Table table { { IncidentReport::tr("Lane"), IncidentReport::tr("Requests"),
            IncidentReport::tr("Errors"), IncidentReport::tr("Fell back"),
            IncidentReport::tr("Spend"), IncidentReport::tr("Extra cost of fallback") } };
        for (const IncidentReport::LaneFigures &lane : report.lanes)
            table.rows.append({ lane.lane, QString::number(lane.requests),
                QStringLiteral("%1 (%2)")
                    .arg(lane.failed)
                    .arg(percentOf(lane.failed, lane.requests)),
                QStringLiteral("%1 (%2)")
                    .arg(lane.fellBack)
                    .arg(percentOf(lane.fellBack, lane.requests)),
                dollars(lane.spendUsd), dollars(lane.extraUsd) });
        lanes.table = table;
    }
    sections.append(lanes);

    Section timeline;
    timeline.heading = IncidentReport::tr("Timeline");
    if (report.events.isEmpty()) {
        timeline.paragraphs.append(IncidentReport::tr("No route changed state in this range."));
    } else {
        Table table { { IncidentReport::tr("Time (UTC)"), IncidentReport::tr("Route"),
            IncidentReport::tr("Change"), IncidentReport::tr("By"),
            IncidentReport::tr("Reason") } };
        for (const StateEvent &event : report.events) {
            const QString route = event.kind == StateEvent::Kind::Config
                ? IncidentReport::tr("(configuration)")
                : event.kind == StateEvent::Kind::Fleet ? IncidentReport::tr("(fleet)")
                                                        : event.route;
            const QString change = event.isRoute() ? QStringLiteral("%1 → %2").arg(
                                       breakerStateLabel(event.from), breakerStateLabel(event.to))
                                                   : QStringLiteral("–");
            table.rows.append({ utcTime(event.time.toMSecsSinceEpoch(), days), route, change,
                byWhom(event), event.reason });
        }
        timeline.table = table;
        if (report.eventsLeftOut > 0)
            timeline.paragraphs.append(
                IncidentReport::tr("%1 later changes are left out.").arg(report.eventsLeftOut));
    }
    sections.append(timeline);

    Section reasons;
    reasons.heading = IncidentReport::tr("Top reasons for failed attempts");
    if (report.reasons.isEmpty()) {
        reasons.paragraphs.append(IncidentReport::tr("No attempt failed."));
    } else {
        Table table { { IncidentReport::tr("Attempts"), IncidentReport::tr("Route"),
            IncidentReport::tr("Class"), IncidentReport::tr("Reason") } };
        for (const IncidentReport::Reason &reason : report.reasons)
            table.rows.append({ QString::number(reason.count), reason.route,
                failureClassName(reason.failureClass), reason.reason });
        reasons.table = table;
    }
    sections.append(reasons);

    Section errors;
    errors.heading = IncidentReport::tr("Errors callers saw");
    if (report.errors.isEmpty()) {
        errors.paragraphs.append(IncidentReport::tr("Every caller got its answer."));
    } else {
        if (report.failed > report.errors.size())
            errors.paragraphs.append(IncidentReport::tr("The first %1 of %2.")
                                         .arg(report.errors.size())
                                         .arg(report.failed));
        Table table { { IncidentReport::tr("Time (UTC)"), IncidentReport::tr("Request id"),
            IncidentReport::tr("Lane"), IncidentReport::tr("Route"), IncidentReport::tr("Status"),
            IncidentReport::tr("Class"), IncidentReport::tr("Reason") } };
        for (const IncidentReport::CallerError &error : report.errors)
            table.rows.append({ utcTime(error.atMs, days), error.id, error.lane, error.route,
                QString::number(error.status), failureClassName(error.failureClass),
                error.reason });
        errors.table = table;
    }
    sections.append(errors);
    return sections;
}

QString titleOf(const IncidentReport &report)
{
    return IncidentReport::tr("Incident report: %1 – %2 UTC (%3)")
        .arg(utcTime(report.fromMs, true), utcTime(report.toMs, true),
            duration(report.toMs - report.fromMs));
}

} // namespace

int IncidentReport::operatorActions() const
{
    return int(std::count_if(
        events.cbegin(), events.cend(), [](const StateEvent &event) { return event.byOperator; }));
}

QString IncidentReport::toMarkdown() const
{
    QString text = QStringLiteral("# %1\n").arg(titleOf(*this));
    for (const Section &section : sectionsOf(*this)) {
        text += QStringLiteral("\n## %1\n\n").arg(section.heading);
        for (const QString &paragraph : section.paragraphs)
            text += paragraph + QStringLiteral("\n\n");
        for (const QString &bullet : section.bullets)
            text += QStringLiteral("- %1\n").arg(bullet);
        if (section.table)
            text += section.table->markdown();
    }
    return text;
}

QString IncidentReport::toHtml() const
{
    const QString title = titleOf(*this).toHtmlEscaped();
    QString text = QStringLiteral(
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>%1</title>\n"
        "<style>\nbody { font-family: sans-serif; }\n"
        "table { border-collapse: collapse; margin-bottom: 1em; }\n"
        "th, td { border: 1px solid #999; padding: 2px 6px; text-align: left; }\n"
        "th { background: #eee; }\n</style>\n</head>\n<body>\n<h1>%1</h1>\n")
                       .arg(title);
    for (const Section &section : sectionsOf(*this)) {
        text += QStringLiteral("<h2>%1</h2>\n").arg(section.heading.toHtmlEscaped());
        for (const QString &paragraph : section.paragraphs)
            text += QStringLiteral("<p>%1</p>\n").arg(paragraph.toHtmlEscaped());
        if (!section.bullets.isEmpty()) {
            text += QStringLiteral("<ul>\n");
            for (const QString &bullet : section.bullets)
                text += QStringLiteral("<li>%1</li>\n").arg(bullet.toHtmlEscaped());
            text += QStringLiteral("</ul>\n");
        }
        if (section.table)
            text += section.table->html();
    }
    return text + QStringLiteral("</body>\n</html>\n");
}

std::pair<qint64, qint64> IncidentReport::defaultRange(
    const QList<StateEvent> &events, qint64 nowMs)
{
    // An incident begins with a breaker opening while every route is well, and ends when none is
    // open, half-open or recovering any more. A drain is an operator's choice, not an incident.
    qint64 start = -1;
    QSet<QString> unwell;
    for (const StateEvent &event : events) {
        if (!event.isRoute())
            continue;
        if (event.to == BreakerState::Open && unwell.isEmpty())
            start = event.time.toMSecsSinceEpoch();
        const bool isUnwell = event.to == BreakerState::Open || event.to == BreakerState::HalfOpen
            || event.to == BreakerState::Recovering;
        if (isUnwell)
            unwell.insert(event.route);
        else
            unwell.remove(event.route);
    }
    constexpr qint64 Hour = 3600 * 1000;
    if (start < 0 || start > nowMs)
        return { nowMs - Hour, nowMs };
    // With the minute before it: the requests whose failures opened the breaker.
    return { start - IncidentReport::LeadUpMs, nowMs };
}

IncidentReportBuilder::IncidentReportBuilder(qint64 fromMs, qint64 toMs, Config config)
    : m_config(std::move(config))
{
    m_report.fromMs = fromMs;
    m_report.toMs = toMs;
}

bool IncidentReportBuilder::addTrace(const TraceRecord &trace)
{
    if (!covers(trace.startedAtUtcMs))
        return true;
    if (m_read >= IncidentReport::MaxTracesRead) {
        m_report.truncated = true;
        return false;
    }
    ++m_read;
    IncidentReport &report = m_report;
    const bool failed = trace.failed();
    const double extra = LaneHealthTracker::extraCostOf(trace, m_config);
    // Only plain successes are sampled: a weight on anything else (a damaged or forged row) is
    // not believed. So a weight above 1 adds requests and spend alone.
    const double weight = trace.isPlainSuccess() ? trace.sampleWeight : 1.0;
    const double cost = std::isfinite(trace.costUsd) ? trace.costUsd : 0.0;
    report.estimated = report.estimated || weight != 1.0;
    m_requests += weight;
    report.failed += failed ? 1 : 0;
    report.fellBack += trace.fallback ? 1 : 0;
    report.degraded += trace.degraded ? 1 : 0;
    report.panics += trace.panic ? 1 : 0;
    report.spendUsd += cost * weight;
    report.fallbackSpendUsd += trace.fallbackCostUsd;
    report.extraUsd += extra;

    IncidentReport::LaneFigures &lane = m_lanes[trace.lane];
    lane.lane = trace.lane;
    m_laneRequests[trace.lane] += weight;
    lane.failed += failed ? 1 : 0;
    lane.fellBack += trace.fallback ? 1 : 0;
    lane.spendUsd += cost * weight;
    lane.extraUsd += extra;

    QString lastReason;
    for (const AttemptRecord &attempt : trace.attempts) {
        // A route passed over did not fail; nor did one that refused a caller's mistake.
        if (attempt.skipped || attempt.failureClass == FailureClass::Ok
            || attempt.failureClass == FailureClass::CallerError
            || attempt.failureClass == FailureClass::Cancelled)
            continue;
        lastReason = attempt.reason;
        // The key's parts cannot hold the separator: route names are config keys, the rest text.
        const QString key = attempt.route + QChar(0x1f) + failureClassName(attempt.failureClass)
            + QChar(0x1f) + attempt.reason;
        auto reason = m_reasons.find(key);
        if (reason == m_reasons.end()) {
            // Bounded: a flood of distinct reasons (each naming a request id, say) stops being
            // counted apart once there are far more than the report shows.
            if (m_reasons.size() >= 50 * IncidentReport::MaxReasons)
                continue;
            reason
                = m_reasons.insert(key, { attempt.route, attempt.failureClass, attempt.reason, 0 });
        }
        ++reason->count;
    }
    if (failed && report.errors.size() < IncidentReport::MaxErrors)
        report.errors.append({ trace.startedAtUtcMs, trace.id, trace.lane, trace.route,
            trace.status, trace.finalClass, lastReason });
    return true;
}

void IncidentReportBuilder::addEvent(const StateEvent &event)
{
    if (!covers(event.time.toMSecsSinceEpoch()))
        return;
    if (m_report.events.size() >= IncidentReport::MaxEvents)
        ++m_report.eventsLeftOut;
    else
        m_report.events.append(event);
}

IncidentReport IncidentReportBuilder::finish()
{
    IncidentReport report = m_report;
    const auto count = [](double requests) {
        return int(std::min(std::floor(requests), double(std::numeric_limits<int>::max())));
    };
    report.requests = count(std::round(m_requests));
    // Each lane's weighed count, rounded so that the lanes add up to the total: down, then the
    // requests left over to the lanes with the largest remainders (none past the total's cap).
    QList<std::pair<double, QString>> remainders;
    qint64 assigned = 0; // lanes near the cap would overflow an int
    for (auto lane = m_lanes.begin(); lane != m_lanes.end(); ++lane) {
        const double weighed = m_laneRequests.value(lane.key());
        lane->requests = count(weighed);
        assigned += lane->requests;
        remainders.append({ weighed - std::floor(weighed), lane.key() });
    }
    std::sort(remainders.begin(), remainders.end(), std::greater<>());
    for (qsizetype i = 0; i < remainders.size() && assigned < report.requests; ++i, ++assigned)
        ++m_lanes[remainders.at(i).second].requests;
    report.lanes = m_lanes.values();
    std::sort(report.lanes.begin(), report.lanes.end(),
        [](const auto &a, const auto &b) { return a.lane < b.lane; });
    report.reasons = m_reasons.values();
    std::sort(report.reasons.begin(), report.reasons.end(), [](const auto &a, const auto &b) {
        const int aClass = int(a.failureClass);
        const int bClass = int(b.failureClass);
        return std::tie(b.count, a.route, a.reason, aClass)
            < std::tie(a.count, b.route, b.reason, bClass);
    });
    if (report.reasons.size() > IncidentReport::MaxReasons)
        report.reasons.resize(IncidentReport::MaxReasons);
    std::stable_sort(report.errors.begin(), report.errors.end(),
        [](const auto &a, const auto &b) { return a.atMs < b.atMs; });
    std::stable_sort(report.events.begin(), report.events.end(),
        [](const StateEvent &a, const StateEvent &b) { return a.time < b.time; });
    return report;
}

} // namespace Switchyard
