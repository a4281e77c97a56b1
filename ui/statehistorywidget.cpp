#include "statehistorywidget.h"

#include "statestyle.h"

#include <QDateTime>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

namespace Switchyard {

namespace {

constexpr int NameWidth = 150;
constexpr int RightMargin = 12;
constexpr int AxisHeight = 22;
constexpr int RowHeight = 24;
constexpr int Gap = 12;
constexpr int RequestsHeight = 56;
constexpr int ErrorsHeight = 40;

QString clock(qint64 ms, bool seconds)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(
        seconds ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm"));
}

QString span(qint64 ms)
{
    const qint64 s = ms / 1000;
    if (s < 120)
        return StateHistoryWidget::tr("%1 s").arg(s);
    if (s < 7200)
        return StateHistoryWidget::tr("%1 min").arg(s / 60);
    return StateHistoryWidget::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

} // namespace

StateHistoryWidget::StateHistoryWidget(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("stateHistory"));
    setMouseTracking(true);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    setAccessibleName(tr("Route states over time"));
}

QBrush StateHistoryWidget::brushFor(BreakerState state, bool misconfigured)
{
    if (misconfigured)
        return QBrush(StateStyle::classColor(FailureClass::AuthError), Qt::BDiagPattern);
    // A pattern per state besides its colour: two states never differ by colour alone.
    Qt::BrushStyle pattern = Qt::SolidPattern;
    switch (state) {
    case BreakerState::Closed:
    case BreakerState::Open:
        break;
    case BreakerState::HalfOpen:
        pattern = Qt::Dense4Pattern;
        break;
    case BreakerState::Recovering:
        pattern = Qt::Dense2Pattern;
        break;
    case BreakerState::Drained:
        pattern = Qt::CrossPattern;
        break;
    case BreakerState::Drilling:
        pattern = Qt::DiagCrossPattern;
        break;
    }
    QColor color = StateStyle::stateColor(state);
    if (state == BreakerState::Closed)
        color = color.lighter(170); // the calm state recedes; trouble stands out
    return QBrush(color, pattern);
}

QString StateHistoryWidget::labelFor(BreakerState state, bool misconfigured)
{
    return misconfigured ? tr("Misconfigured") : breakerStateLabel(state);
}

void StateHistoryWidget::setHistory(const QList<StateHistory::RouteHistory> &routes,
    const QList<StateHistory::Traffic> &traffic, qint64 bucketMs, qint64 fromMs, qint64 toMs,
    qint64 trafficKnownSinceMs)
{
    const bool rowsChanged = routes.size() != m_routes.size();
    m_routes = routes;
    m_traffic = traffic;
    m_bucketMs = bucketMs;
    m_fromMs = fromMs;
    m_toMs = qMax(fromMs + 1, toMs);
    m_knownSinceMs = trafficKnownSinceMs;
    if (rowsChanged)
        updateGeometry();
    update();
}

QSize StateHistoryWidget::sizeHint() const
{
    return QSize(900,
        AxisHeight + int(m_routes.size()) * RowHeight + Gap + RequestsHeight + Gap + ErrorsHeight
            + AxisHeight);
}

QSize StateHistoryWidget::minimumSizeHint() const
{
    return QSize(NameWidth + 200, sizeHint().height());
}

QRect StateHistoryWidget::plotRect() const
{
    return QRect(NameWidth, AxisHeight, qMax(10, width() - NameWidth - RightMargin),
        int(m_routes.size()) * RowHeight);
}

QRect StateHistoryWidget::rowRect(int row) const
{
    const QRect plot = plotRect();
    return QRect(plot.left(), plot.top() + row * RowHeight + 3, plot.width(), RowHeight - 6);
}

QRect StateHistoryWidget::requestsRect() const
{
    const QRect plot = plotRect();
    return QRect(plot.left(), plot.bottom() + Gap, plot.width(), RequestsHeight);
}

QRect StateHistoryWidget::errorsRect() const
{
    const QRect requests = requestsRect();
    return QRect(requests.left(), requests.bottom() + Gap, requests.width(), ErrorsHeight);
}

qint64 StateHistoryWidget::timeAt(int x) const
{
    const QRect plot = plotRect();
    const double share = qBound(0.0, double(x - plot.left()) / plot.width(), 1.0);
    return m_fromMs + qint64(share * double(m_toMs - m_fromMs));
}

int StateHistoryWidget::xAt(qint64 ms) const
{
    const QRect plot = plotRect();
    return plot.left() + int(double(ms - m_fromMs) / double(m_toMs - m_fromMs) * plot.width());
}

void StateHistoryWidget::setPicked(qint64 ms)
{
    m_picked = ms;
    update();
}

void StateHistoryWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const QPalette &colors = palette();
    const QFontMetrics metrics = fontMetrics();
    const QRect plot = plotRect();
    const bool seconds = m_toMs - m_fromMs <= 30 * 60 * 1000;

    // The time axis, above the rows and below the charts, with a faint grid.
    const int ticks = qMax(2, plot.width() / 110);
    for (int i = 0; i <= ticks; ++i) {
        const qint64 at = m_fromMs + (m_toMs - m_fromMs) * i / ticks;
        const int x = xAt(at);
        painter.setPen(QPen(colors.color(QPalette::Mid), 0, Qt::DotLine));
        painter.drawLine(x, plot.top(), x, errorsRect().bottom());
        painter.setPen(colors.color(QPalette::Text));
        const QString text = clock(at, seconds);
        const int textWidth = metrics.horizontalAdvance(text);
        const int left = qBound(plot.left() - textWidth / 2, x - textWidth / 2,
            plot.right() - textWidth); // the last label stays inside the widget
        painter.drawText(left, AxisHeight - 6, text);
        painter.drawText(left, errorsRect().bottom() + metrics.ascent() + 4, text);
    }

    for (int row = 0; row < m_routes.size(); ++row) {
        const StateHistory::RouteHistory &route = m_routes.at(row);
        const QRect rect = rowRect(row);
        painter.setPen(colors.color(QPalette::Text));
        painter.drawText(QRect(4, rect.top(), NameWidth - 10, rect.height()),
            Qt::AlignVCenter | Qt::AlignLeft,
            metrics.elidedText(route.route, Qt::ElideRight, NameWidth - 10));
        for (const StateHistory::Segment &segment : route.segments) {
            const int left = xAt(segment.fromMs);
            const int right = qMax(left + 1, xAt(segment.toMs));
            const QRect box(left, rect.top(), right - left, rect.height());
            painter.fillRect(box, colors.color(QPalette::Base));
            if (!segment.known) {
                painter.fillRect(box, QBrush(colors.color(QPalette::Mid), Qt::BDiagPattern));
                continue;
            }
            painter.fillRect(box, brushFor(segment.state, segment.misconfigured));
            const QString label = labelFor(segment.state, segment.misconfigured);
            if (box.width() > metrics.horizontalAdvance(label) + 8) {
                // On a plate of the background, readable over any pattern.
                const QRect plate(box.left() + 3, box.top() + 2,
                    metrics.horizontalAdvance(label) + 4, box.height() - 4);
                painter.fillRect(plate, colors.color(QPalette::Base));
                painter.setPen(colors.color(QPalette::Text));
                painter.drawText(plate, Qt::AlignCenter, label);
            }
        }
        painter.setPen(colors.color(QPalette::Text));
        painter.setBrush(colors.color(QPalette::Text));
        for (qint64 panic : route.panics) {
            const int x = xAt(panic);
            const QPolygon mark { QPoint(x - 4, rect.top()), QPoint(x + 4, rect.top()),
                QPoint(x, rect.top() + 7) };
            painter.drawPolygon(mark);
        }
        painter.setBrush(Qt::NoBrush);
    }

    // Requests per second (grey, the failed ones red on top) and the error rate beneath.
    const QRect requests = requestsRect();
    const QRect errors = errorsRect();
    int busiest = 1;
    for (const StateHistory::Traffic &bucket : m_traffic)
        busiest = qMax(busiest, bucket.requests);
    const double perSecond = 1000.0 / double(m_bucketMs);
    painter.setPen(colors.color(QPalette::Text));
    painter.drawText(QRect(4, requests.top(), NameWidth - 10, requests.height()),
        Qt::AlignVCenter | Qt::AlignLeft | Qt::TextWordWrap,
        tr("Requests/s\n(up to %1)").arg(busiest * perSecond, 0, 'f', 1));
    painter.drawText(QRect(4, errors.top(), NameWidth - 10, errors.height()),
        Qt::AlignVCenter | Qt::AlignLeft | Qt::TextWordWrap, tr("Errors\n(% of requests)"));
    painter.setPen(colors.color(QPalette::Mid));
    painter.drawRect(requests.adjusted(0, 0, -1, -1));
    painter.drawRect(errors.adjusted(0, 0, -1, -1));
    if (m_knownSinceMs < 0 || m_knownSinceMs > m_fromMs) {
        // Not seen by this console: drawn as unknown, never as zero.
        const int right
            = m_knownSinceMs < 0 ? requests.right() : qMin(requests.right(), xAt(m_knownSinceMs));
        if (right > requests.left()) {
            const QBrush unknown(colors.color(QPalette::Mid), Qt::BDiagPattern);
            painter.fillRect(
                QRect(requests.left(), requests.top(), right - requests.left(), requests.height()),
                unknown);
            painter.fillRect(
                QRect(errors.left(), errors.top(), right - errors.left(), errors.height()),
                unknown);
            painter.setPen(colors.color(QPalette::Text));
            const QString text = tr("not seen by this console");
            if (right - requests.left() > metrics.horizontalAdvance(text) + 8)
                painter.drawText(QRect(requests.left(), requests.top(), right - requests.left(),
                                     requests.height()),
                    Qt::AlignCenter, text);
        }
    }
    const QColor failedColor = StateStyle::stateColor(BreakerState::Open);
    for (const StateHistory::Traffic &bucket : m_traffic) {
        if (bucket.requests == 0)
            continue;
        const int left = xAt(bucket.fromMs);
        const int right = qMax(left + 2, xAt(bucket.fromMs + m_bucketMs) - 1);
        const int all = requests.height() * bucket.requests / busiest;
        const int failed = requests.height() * bucket.failed / busiest;
        painter.fillRect(QRect(left, requests.bottom() - all + 1, right - left, all),
            colors.color(QPalette::Dark));
        painter.fillRect(
            QRect(left, requests.bottom() - failed + 1, right - left, failed), failedColor);
        const int share = errors.height() * bucket.failed / bucket.requests;
        painter.fillRect(
            QRect(left, errors.bottom() - share + 1, right - left, share), failedColor);
    }

    if (m_picked >= m_fromMs && m_picked <= m_toMs) {
        const int x = xAt(m_picked);
        painter.setPen(QPen(colors.color(QPalette::Highlight), 2));
        painter.drawLine(x, plot.top() - 4, x, errors.bottom());
    }
}

void StateHistoryWidget::mousePressEvent(QMouseEvent *event)
{
    const QRect area(plotRect().left(), 0, plotRect().width(), height());
    if (event->button() != Qt::LeftButton || !area.contains(event->position().toPoint()))
        return QWidget::mousePressEvent(event);
    const qint64 at = timeAt(event->position().toPoint().x());
    setPicked(at);
    Q_EMIT momentPicked(at);
}

bool StateHistoryWidget::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

QString StateHistoryWidget::toolTipAt(const QPoint &point) const
{
    const qint64 at = timeAt(point.x());
    for (int row = 0; row < m_routes.size(); ++row) {
        if (!rowRect(row).adjusted(-NameWidth, 0, 0, 0).contains(point))
            continue;
        for (const StateHistory::Segment &segment : m_routes.at(row).segments) {
            if (at >= segment.fromMs && at <= segment.toMs && !segment.known)
                return tr("%1: not known before %2")
                    .arg(m_routes.at(row).route, clock(segment.toMs, true));
            if (at >= segment.fromMs && at <= segment.toMs)
                return tr("%1: %2, %3 – %4 (%5)")
                    .arg(m_routes.at(row).route, labelFor(segment.state, segment.misconfigured),
                        clock(segment.fromMs, true), clock(segment.toMs, true),
                        span(segment.toMs - segment.fromMs));
        }
    }
    if (requestsRect().contains(point) || errorsRect().contains(point)) {
        for (const StateHistory::Traffic &bucket : m_traffic) {
            if (at >= bucket.fromMs && at < bucket.fromMs + m_bucketMs)
                return tr("%1 – %2: %3 requests, %4 failed")
                    .arg(clock(bucket.fromMs, true), clock(bucket.fromMs + m_bucketMs, true))
                    .arg(bucket.requests)
                    .arg(bucket.failed);
        }
    }
    return QString();
}

} // namespace Switchyard
