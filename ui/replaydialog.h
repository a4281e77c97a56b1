#pragma once

#include "observe/capturedbodies.h"
#include "observe/trace.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace Switchyard {

class GatewayLink;
class TimelineWidget;

// Replay on…: sends a request's kept body again to a route the operator chooses, and shows the
// answer and its trace beside the original's.
class ReplayDialog final : public QDialog {
    Q_OBJECT
public:
    ReplayDialog(GatewayLink *gateway, const TraceRecord &original, const CapturedBodies &bodies,
        QWidget *parent = nullptr);

    QComboBox *routes() const { return m_routes; }
    QPushButton *sendButton() const { return m_send; }
    QString replayStatus() const;
    QString replayAnswer() const;
    QString originalAnswer() const;
    TimelineWidget *replayTimeline() const { return m_replayTimeline; }

    void send();

Q_SIGNALS:
    // The replay's answer came (or why none did); its trace follows in the timeline.
    void replayed(const Switchyard::ReplayResult &result);

private:
    void showResult(const ReplayResult &result);

    GatewayLink *m_gateway;
    TraceRecord m_original;
    CapturedBodies m_bodies;
    QComboBox *m_routes;
    QPushButton *m_send;
    QLabel *m_originalTitle;
    QPlainTextEdit *m_originalAnswer;
    QLabel *m_replayTitle;
    QPlainTextEdit *m_replayAnswer;
    TimelineWidget *m_originalTimeline;
    TimelineWidget *m_replayTimeline;
    QString m_replayTraceId; // the replay whose trace the timeline waits for
};

} // namespace Switchyard
