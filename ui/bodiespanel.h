#pragma once

#include "observe/capturedbodies.h"
#include "observe/trace.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace Switchyard {

class GatewayLink;

// A kept body as the console shows it: JSON indented, at most 256 KiB of it, and where it was cut.
QString bodyText(const CapturedBody &body);
// A read-only, fixed-width view for bodies.
QPlainTextEdit *bodyView(QWidget *parent);

// The selected request's kept bodies (capture.bodies) beside its timeline: what the caller sent;
// for each attempt, what it was sent (its headers and body, or how that differs from the
// caller's request after translation) and what it answered; and Replay on… . Says why there are
// none when there are none.
class BodiesPanel final : public QWidget {
    Q_OBJECT
public:
    explicit BodiesPanel(GatewayLink *gateway, QWidget *parent = nullptr);

    // Reads the bodies of `trace` from the gateway and shows them.
    void showTrace(const TraceRecord &trace);
    // Shows what attempt `index` (in the trace) was sent, compared with the caller's request; false
    // when none of it was kept.
    bool showAttempt(int index);

    // For tests: the parts that can be shown, the one shown, and what the panel says.
    QComboBox *parts() const { return m_parts; }
    QPlainTextEdit *text() const { return m_text; }
    QString status() const;
    QPushButton *replayButton() const { return m_replay; }
    const std::optional<CapturedBodies> &bodies() const { return m_bodies; }
    // A request's bodies were asked for and have not come yet.
    bool isReading() const { return m_reading; }

Q_SIGNALS:
    // The bodies of the request last asked for are shown (or why there are none).
    void bodiesShown();

private:
    void setBodies(const std::optional<CapturedBodies> &bodies, const QString &error);
    void showPart(int index);
    void openReplay();

    GatewayLink *m_gateway;
    QLabel *m_status;
    QComboBox *m_parts;
    QPlainTextEdit *m_text;
    QPushButton *m_replay;
    TraceRecord m_trace;
    bool m_reading = false;
    std::optional<CapturedBodies> m_bodies;
};

} // namespace Switchyard
