#include "timelinewidget.h"

#include "statestyle.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>

#include <QToolTip>
#include <algorithm>

namespace Switchyard {

namespace {

constexpr int LabelWidth = 150;
constexpr int Margin = 8;
constexpr int AxisHeight = 22;

} // namespace

TimelineWidget::TimelineWidget(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("timeline"));
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::MinimumExpanding);
}

void TimelineWidget::setTrace(const TraceRecord &trace)
{
    m_trace = trace;
    updateGeometry();
    update();
}

int TimelineWidget::barCount() const
{
    return int(std::count_if(m_trace.attempts.cbegin(), m_trace.attempts.cend(),
        [](const AttemptRecord &a) { return !a.skipped; }));
}

int TimelineWidget::rowHeight() const
{
    return fontMetrics().height() + 12;
}

QString TimelineWidget::legendText() const
{
    return tr("Pale: connecting · hatched: waiting for the first byte · vertical lines: waiting "
              "for the first token · solid: receiving · dotted: backoff · dashed: where a hedge "
              "started");
}

int TimelineWidget::keyHeight() const
{
    // Wrapped to the width there is, so that a narrow timeline still says all of it.
    return fontMetrics()
        .boundingRect(
            QRect(0, 0, qMax(100, width() - 2 * Margin), 10000), Qt::TextWordWrap, legendText())
        .height();
}

int TimelineWidget::legendHeight() const
{
    return keyHeight() + fontMetrics().height() + 8; // the key, then the totals
}

QSize TimelineWidget::sizeHint() const
{
    return QSize(600,
        AxisHeight + 2 * Margin + rowHeight() * int(qMax<qsizetype>(3, m_trace.attempts.size()))
            + legendHeight() + 8);
}

QSize TimelineWidget::minimumSizeHint() const
{
    return QSize(300, AxisHeight + 2 * Margin + rowHeight() * 2);
}

QRect TimelineWidget::plotArea() const
{
    return QRect(LabelWidth, Margin, width() - LabelWidth - Margin,
        height() - 2 * Margin - AxisHeight - legendHeight());
}

int TimelineWidget::xFor(qint64 ms) const
{
    const QRect area = plotArea();
    const qint64 span = qMax<qint64>(1, m_trace.durationMs);
    return area.left() + int(double(qBound<qint64>(0, ms, span)) / double(span) * area.width());
}

QRect TimelineWidget::barRect(int row) const
{
    if (row < 0 || row >= m_trace.attempts.size() || m_trace.attempts.at(row).skipped)
        return QRect();
    const AttemptRecord &attempt = m_trace.attempts.at(row);
    const int top = plotArea().top() + row * rowHeight() + 3;
    const int left = xFor(attempt.startMs);
    return QRect(left, top, qMax(3, xFor(attempt.endMs) - left), rowHeight() - 6);
}

int TimelineWidget::rowAt(int y) const
{
    const int offset = y - plotArea().top();
    if (offset < 0)
        return -1;
    const int row = offset / rowHeight();
    return row < m_trace.attempts.size() ? row : -1;
}

void TimelineWidget::mousePressEvent(QMouseEvent *event)
{
    const int row = rowAt(int(event->position().y()));
    if (row >= 0 && !m_trace.attempts.at(row).skipped)
        Q_EMIT attemptClicked(row);
    QWidget::mousePressEvent(event);
}

void TimelineWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    painter.fillRect(rect(), pal.base());
    if (m_trace.id.isEmpty()) {
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.drawText(
            rect(), Qt::AlignCenter, tr("Select a request to see its attempts on a time line."));
        return;
    }
    const QRect area = plotArea();
    const QFontMetrics metrics = fontMetrics();

    // Time axis with a handful of ticks.
    painter.setPen(pal.color(QPalette::Mid));
    const int axisY = area.top() + rowHeight() * int(m_trace.attempts.size()) + 4;
    painter.drawLine(area.left(), axisY, area.right(), axisY);
    for (int i = 0; i <= 4; ++i) {
        const qint64 ms = m_trace.durationMs * i / 4;
        const int x = xFor(ms);
        painter.setPen(pal.color(QPalette::Mid));
        painter.drawLine(x, axisY, x, axisY + 4);
        painter.setPen(pal.color(QPalette::Text));
        const QString label = tr("%1 ms").arg(ms);
        const int labelWidth = metrics.horizontalAdvance(label);
        painter.drawText(qBound(area.left(), x - labelWidth / 2, area.right() - labelWidth),
            axisY + 4 + metrics.ascent(), label);
    }

    const AttemptRecord *previous = nullptr;
    for (int row = 0; row < m_trace.attempts.size(); ++row) {
        const AttemptRecord &attempt = m_trace.attempts.at(row);
        const int top = area.top() + row * rowHeight();
        const QRect labelRect(Margin, top, LabelWidth - 2 * Margin, rowHeight());
        painter.setPen(pal.color(QPalette::Text));
        painter.drawText(labelRect, Qt::AlignVCenter | Qt::AlignLeft,
            metrics.elidedText(attempt.route, Qt::ElideRight, labelRect.width()));
        if (attempt.skipped) {
            // A skipped route: no bar, a dashed outline and the reason.
            const QRect lane(area.left(), top + 3, area.width(), rowHeight() - 6);
            painter.setPen(QPen(pal.color(QPalette::Mid), 1, Qt::DashLine));
            painter.setBrush(Qt::NoBrush);
            painter.drawRect(lane);
            painter.setPen(pal.color(QPalette::PlaceholderText));
            painter.drawText(lane.adjusted(6, 0, -6, 0), Qt::AlignVCenter | Qt::AlignLeft,
                metrics.elidedText(
                    tr("skipped: %1").arg(attempt.reason), Qt::ElideRight, lane.width() - 12));
            continue;
        }
        const QRect bar = barRect(row);
        const QColor color = StateStyle::classColor(attempt.failureClass);
        // Connecting, waiting for the first byte, receiving: three shades of the class colour.
        const int connected = attempt.connectedMs >= 0 ? xFor(attempt.connectedMs) : bar.right();
        const int firstByte = attempt.firstByteMs >= 0 ? xFor(attempt.firstByteMs) : bar.right();
        // Connecting: a pale tint; waiting for the first byte: hatched; receiving: solid.
        painter.setPen(Qt::NoPen);
        QColor pale = color;
        pale.setAlpha(70);
        painter.setBrush(pale);
        painter.drawRect(QRect(
            QPoint(bar.left(), bar.top()), QPoint(qMax(bar.left(), connected), bar.bottom())));
        const QRect waiting(QPoint(qMax(bar.left(), connected), bar.top()),
            QPoint(qMax(connected, firstByte), bar.bottom()));
        painter.setBrush(pale);
        painter.drawRect(waiting);
        painter.setBrush(QBrush(color, Qt::BDiagPattern));
        painter.drawRect(waiting);
        // A stream's headers are in but no content yet: vertical lines, up to its first token
        // (or to its end, when none came).
        int content = qMax(bar.left(), firstByte);
        if (m_trace.stream && attempt.firstByteMs >= 0) {
            const int firstToken = attempt.firstTokenMs >= 0
                ? qBound(content, xFor(attempt.firstTokenMs), bar.right())
                : bar.right();
            const QRect noContent(QPoint(content, bar.top()), QPoint(firstToken, bar.bottom()));
            painter.setBrush(pale);
            painter.drawRect(noContent);
            painter.setBrush(QBrush(color, Qt::VerPattern));
            painter.drawRect(noContent);
            content = firstToken;
        }
        painter.setBrush(color);
        if (content < bar.right())
            painter.drawRect(QRect(QPoint(content, bar.top()), bar.bottomRight()));
        painter.setPen(QPen(color.darker(140), 1));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(bar);
        QString text = attempt.httpStatus > 0 ? QStringLiteral("%1 · %2")
                                                    .arg(failureClassName(attempt.failureClass))
                                                    .arg(attempt.httpStatus)
                                              : failureClassName(attempt.failureClass);
        if (!attempt.continuation.isEmpty())
            text += QStringLiteral(" · ")
                + tr("continues the stream (%1)", "prefill or restart").arg(attempt.continuation);
        // Which key of a pool it sent, where the request's attempts sent different ones.
        if (!attempt.key.isEmpty()
            && std::any_of(m_trace.attempts.cbegin(), m_trace.attempts.cend(),
                [&attempt](const AttemptRecord &other) {
                    return !other.key.isEmpty() && other.key != attempt.key;
                }))
            text += QStringLiteral(" · ") + tr("key %1").arg(attempt.key);
        if (attempt.hedge) {
            text += QStringLiteral(" · ") + tr("hedge");
            // A dashed line down from the attempt it runs beside, at the moment it started.
            for (int above = row - 1; above >= 0; --above) {
                const AttemptRecord &hedged = m_trace.attempts.at(above);
                if (hedged.skipped || hedged.startMs > attempt.startMs)
                    continue;
                const int x = xFor(attempt.startMs);
                painter.setPen(QPen(pal.color(QPalette::Text), 1, Qt::DashLine));
                painter.drawLine(x, barRect(above).bottom(), x, bar.top());
                break;
            }
        }
        const int textWidth = metrics.horizontalAdvance(text);
        // Text sits on the solid part only when it fits there; otherwise it follows the bar.
        const bool inside = textWidth + 8 < bar.right() - content;
        painter.setPen(inside ? StateStyle::textOn(color) : pal.color(QPalette::Text));
        // Right of the bar, else left of it (a bar at the end of the axis), else over it.
        const QRect outside = bar.right() + textWidth + 8 < width()
            ? QRect(bar.right() + 4, bar.top(), textWidth + 4, bar.height())
            : bar.left() - textWidth - 8 >= LabelWidth
            ? QRect(bar.left() - textWidth - 8, bar.top(), textWidth + 4, bar.height())
            : QRect(bar.left() + 4, bar.top(), textWidth + 4, bar.height());
        if (!inside && outside.left() < bar.right() && outside.right() > bar.left()) {
            // No room beside the bar: a plate behind the text keeps it readable over the hatching.
            painter.setPen(Qt::NoPen);
            painter.setBrush(pal.color(QPalette::Base));
            painter.drawRect(outside.adjusted(-2, 2, 2, -2));
        }
        painter.setPen(inside ? StateStyle::textOn(color) : pal.color(QPalette::Text));
        painter.drawText(
            inside ? QRect(content + 4, bar.top(), textWidth + 4, bar.height()) : outside,
            Qt::AlignVCenter | Qt::AlignLeft, text);

        // The wait between a failed attempt and its retry.
        if (previous && previous->decision == Decision::Retry
            && attempt.startMs > previous->endMs) {
            const int from = xFor(previous->endMs);
            const int to = xFor(attempt.startMs);
            const int y = top + rowHeight() / 2;
            painter.setPen(QPen(pal.color(QPalette::Text), 1, Qt::DotLine));
            painter.drawLine(from, y, to, y);
            painter.drawText(QRect(from, top - 2, qMax(60, to - from), rowHeight() / 2),
                Qt::AlignLeft | Qt::AlignBottom,
                tr("backoff %1 ms").arg(attempt.startMs - previous->endMs));
        }
        previous = &attempt;
    }
    // A legend, in words, and the totals beneath it.
    painter.setPen(pal.color(QPalette::Text));
    const int lineHeight = metrics.height();
    const int keyLines = keyHeight();
    const QRect key(
        Margin, height() - Margin - keyLines - lineHeight, width() - 2 * Margin, keyLines);
    painter.drawText(key, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, legendText());
    painter.drawText(QRect(Margin, key.bottom() + 1, key.width(), lineHeight),
        Qt::AlignLeft | Qt::AlignVCenter,
        tr("Total %1 ms, %2 attempt(s), $%3")
            .arg(m_trace.durationMs)
            .arg(barCount())
            .arg(m_trace.costUsd, 0, 'f', 5));
}

QString TimelineWidget::tooltipFor(int row) const
{
    const AttemptRecord &attempt = m_trace.attempts.at(row);
    if (attempt.skipped)
        return tr("%1 skipped: %2").arg(attempt.route, attempt.reason);
    QString text = tr("%1: %2, HTTP %3, decision %4\n%5–%6 ms")
                       .arg(attempt.route, failureClassName(attempt.failureClass))
                       .arg(attempt.httpStatus)
                       .arg(decisionName(attempt.decision))
                       .arg(attempt.startMs)
                       .arg(attempt.endMs);
    if (!attempt.reason.isEmpty())
        text += QLatin1Char('\n') + attempt.reason;
    if (!attempt.key.isEmpty())
        text += QLatin1Char('\n') + tr("sent with the provider's key '%1'").arg(attempt.key);
    if (attempt.drill)
        text += QLatin1Char('\n') + tr("(injected by a drill)");
    if (!attempt.note.isEmpty())
        text += QLatin1Char('\n') + attempt.note;
    if (attempt.hedge)
        text += QLatin1Char('\n')
            + tr("(a hedge: started beside a slower attempt; the first with content answers)");
    return text;
}

bool TimelineWidget::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int row = (help->pos().y() - plotArea().top()) / rowHeight();
        if (row >= 0 && row < m_trace.attempts.size())
            QToolTip::showText(help->globalPos(), tooltipFor(row), this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

} // namespace Switchyard
