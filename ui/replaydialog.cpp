#include "replaydialog.h"

#include "bodiespanel.h"

#include "link/gatewaylink.h"
#include "observe/textdiff.h"
#include "timelinewidget.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace Switchyard {

ReplayDialog::ReplayDialog(GatewayLink *gateway, const TraceRecord &original,
    const CapturedBodies &bodies, QWidget *parent)
    : QDialog(parent)
    , m_gateway(gateway)
    , m_original(original)
    , m_bodies(bodies)
    , m_routes(new QComboBox(this))
    , m_send(new QPushButton(tr("&Send"), this))
    , m_originalTitle(new QLabel(this))
    , m_originalAnswer(bodyView(this))
    , m_replayTitle(new QLabel(this))
    , m_replayAnswer(bodyView(this))
    , m_originalTimeline(new TimelineWidget(this))
    , m_replayTimeline(new TimelineWidget(this))
{
    setObjectName(QStringLiteral("replayDialog"));
    //: %1: a request id
    setWindowTitle(tr("Replay %1").arg(original.id));
    m_routes->setObjectName(QStringLiteral("replayRoute"));
    for (const QString &route : gateway->config().routes.keys())
        m_routes->addItem(route, route);
    // Another route than the one that answered, to begin with: the usual question.
    const int other = m_routes->findData(original.route) == 0 ? 1 : 0;
    m_routes->setCurrentIndex(qMin(other, m_routes->count() - 1));
    m_send->setObjectName(QStringLiteral("replaySend"));
    m_send->setDefault(true);
    m_send->setEnabled(m_routes->count() > 0);
    connect(m_send, &QPushButton::clicked, this, &ReplayDialog::send);
    m_replayAnswer->setObjectName(QStringLiteral("replayAnswer"));
    m_originalAnswer->setObjectName(QStringLiteral("originalAnswer"));
    m_replayTitle->setObjectName(QStringLiteral("replayStatus"));

    // The original's answer: that of the attempt that answered the caller, else the last one.
    const CapturedAttempt *answered = nullptr;
    const CapturedAttempt *last = nullptr;
    for (const CapturedAttempt &attempt : bodies.attempts) {
        last = &attempt;
        if (attempt.route == original.route)
            answered = &attempt;
    }
    if (!answered)
        answered = last;
    //: %1: route; %2: HTTP status
    m_originalTitle->setText(
        tr("Original, on %1: HTTP %2").arg(original.route).arg(original.status));
    m_originalAnswer->setPlainText(
        answered ? bodyText(answered->received) : tr("(no answer was kept)"));
    m_originalTimeline->setTrace(original);
    m_replayTitle->setText(tr("Choose a route and send: the request goes to it alone, as the "
                              "caller sent it but for its model."));
    m_replayTitle->setWordWrap(true);

    auto *choose = new QHBoxLayout;
    choose->addWidget(new QLabel(tr("Replay on route:"), this));
    choose->addWidget(m_routes, 1);
    choose->addWidget(m_send);
    auto *sides = new QGridLayout;
    sides->addWidget(m_originalTitle, 0, 0);
    sides->addWidget(m_replayTitle, 0, 1);
    sides->addWidget(m_originalAnswer, 1, 0);
    sides->addWidget(m_replayAnswer, 1, 1);
    sides->addWidget(m_originalTimeline, 2, 0);
    sides->addWidget(m_replayTimeline, 2, 1);
    sides->setRowStretch(1, 1);
    sides->setColumnStretch(0, 1);
    sides->setColumnStretch(1, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(choose);
    layout->addLayout(sides, 1);
    layout->addWidget(buttons);
    resize(1100, 650);
}

QString ReplayDialog::replayStatus() const
{
    return m_replayTitle->text();
}

QString ReplayDialog::replayAnswer() const
{
    return m_replayAnswer->toPlainText();
}

QString ReplayDialog::originalAnswer() const
{
    return m_originalAnswer->toPlainText();
}

void ReplayDialog::send()
{
    const QString route = m_routes->currentData().toString();
    if (route.isEmpty())
        return;
    m_send->setEnabled(false);
    m_replayAnswer->clear();
    m_replayTimeline->setTrace(TraceRecord());
    m_replayTraceId.clear();
    m_replayTitle->setText(tr("Sending to %1…").arg(route));
    m_gateway->replay(m_original.id, route, this, [this](const ReplayResult &result) {
        m_send->setEnabled(true);
        showResult(result);
        Q_EMIT replayed(result);
    });
}

void ReplayDialog::showResult(const ReplayResult &result)
{
    if (!result.sent) {
        m_replayTitle->setText(tr("Not replayed: %1").arg(result.error));
        return;
    }
    //: %1: route; %2: HTTP status; %3: the replay's request id
    m_replayTitle->setText(tr("Replay on %1: HTTP %2 (request %3)")
                               .arg(result.route)
                               .arg(result.status)
                               .arg(result.traceId));
    QString answer = bodyLines(result.body).join(QLatin1Char('\n'));
    if (result.cut)
        answer += QLatin1Char('\n') + tr("… the rest of the answer is not shown");
    m_replayAnswer->setPlainText(answer);
    m_replayTraceId = result.traceId;
    if (result.traceId.isEmpty())
        return;
    m_gateway->findTrace(result.traceId, this, [this](const std::optional<TraceRecord> &trace) {
        if (trace && trace->id == m_replayTraceId) // not an earlier Send's
            m_replayTimeline->setTrace(*trace);
    });
}

} // namespace Switchyard
