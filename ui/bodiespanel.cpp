#include "bodiespanel.h"

#include "link/gatewaylink.h"
#include "observe/textdiff.h"
#include "replaydialog.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextBlock>
#include <QVBoxLayout>

namespace Switchyard {

namespace {

// What each entry of the parts list shows.
enum class PartKind { Request, Sent, SentDiff, Answer };

// Of a body, shown at most: a text view lays out what it holds at once, on the console's thread.
constexpr qsizetype ShownBytes = 256 * 1024;
// Lines tinted in a comparison at most; beyond, the signs alone say it.
constexpr int MostTints = 2000;

} // namespace

QString bodyText(const CapturedBody &body)
{
    if (body.isEmpty())
        return BodiesPanel::tr("(empty)");
    QString text = bodyLines(body.data.left(ShownBytes)).join(QLatin1Char('\n'));
    if (body.data.size() > ShownBytes)
        text += QLatin1Char('\n')
            + BodiesPanel::tr("… %1 more bytes kept, not shown here (GET /admin/traces/ID/bodies "
                              "has them all)")
                  .arg(body.data.size() - ShownBytes);
    if (body.cut)
        //: %1 bytes kept of %2
        text += QLatin1Char('\n')
            + BodiesPanel::tr("… cut here: %1 of %2 bytes kept (capture.max_bytes)")
                  .arg(body.data.size())
                  .arg(body.size);
    return text;
}

QPlainTextEdit *bodyView(QWidget *parent)
{
    auto *view = new QPlainTextEdit(parent);
    view->setReadOnly(true);
    view->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return view;
}

BodiesPanel::BodiesPanel(GatewayLink *gateway, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_status(new QLabel(this))
    , m_parts(new QComboBox(this))
    , m_text(bodyView(this))
    , m_replay(new QPushButton(tr("&Replay on…"), this))
{
    setObjectName(QStringLiteral("bodiesPanel"));
    m_status->setObjectName(QStringLiteral("bodiesStatus"));
    m_status->setWordWrap(true);
    m_parts->setObjectName(QStringLiteral("bodyParts"));
    m_parts->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_parts->setMinimumContentsLength(24);
    m_text->setObjectName(QStringLiteral("bodyText"));
    m_replay->setObjectName(QStringLiteral("replayRequest"));
    m_replay->setToolTip(tr("Send this request again to a route you choose, and compare the "
                            "answers"));
    m_replay->setEnabled(false);
    connect(m_parts, &QComboBox::currentIndexChanged, this, &BodiesPanel::showPart);
    connect(m_replay, &QPushButton::clicked, this, &BodiesPanel::openReplay);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Bodies:"), this));
    top->addWidget(m_parts, 1);
    top->addWidget(m_replay);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_status);
    layout->addWidget(m_text, 1);
    setBodies(std::nullopt, QString());
    m_status->setText(tr("Select a request to see what was sent."));
}

QString BodiesPanel::status() const
{
    return m_status->text();
}

void BodiesPanel::showTrace(const TraceRecord &trace)
{
    m_trace = trace;
    // Nothing of the request shown before stays, nor can it be replayed, until this one's come.
    setBodies(std::nullopt, QString());
    m_parts->setEnabled(false);
    m_status->setText(tr("Reading the bodies…"));
    m_reading = true;
    const QString id = trace.id;
    m_gateway->readBodies(
        id, this, [this, id](const std::optional<CapturedBodies> &bodies, const QString &error) {
            if (m_trace.id != id)
                return; // another request was selected since
            m_reading = false;
            setBodies(bodies, error);
            Q_EMIT bodiesShown();
        });
}

void BodiesPanel::setBodies(const std::optional<CapturedBodies> &bodies, const QString &error)
{
    m_bodies = bodies;
    const QSignalBlocker blocker(m_parts);
    m_parts->clear();
    m_text->clear();
    m_parts->setEnabled(bodies.has_value());
    m_replay->setEnabled(bodies && bodies->replayRefusal().isEmpty());
    m_replay->setToolTip(bodies && !bodies->replayRefusal().isEmpty()
            ? tr("Cannot be replayed: %1").arg(bodies->replayRefusal())
            : tr("Send this request again to a route you choose, and compare the answers"));
    if (!bodies) {
        const CaptureSettings &capture = m_gateway->config().capture;
        if (!error.isEmpty())
            m_status->setText(tr("The bodies could not be read: %1").arg(error));
        else if (!capture.enabled())
            m_status->setText(tr("No bodies were kept of this request. Body capture is off; "
                                 "\"capture\": {\"bodies\": \"errors\"} in the configuration "
                                 "keeps those of requests that fail."));
        else if (capture.bodies == CaptureMode::Errors)
            m_status->setText(tr("No bodies were kept of this request: capture keeps only those "
                                 "of requests with a failed attempt or an error, for %1 h.")
                                  .arg(capture.retentionHours));
        else
            m_status->setText(tr("No bodies were kept of this request (older than the capture's "
                                 "retention, or before capture was on)."));
        m_status->show();
        return;
    }
    m_status->clear();
    m_status->hide();
    m_parts->addItem(
        tr("Caller's request (%1)").arg(bodies->api), QVariantList { int(PartKind::Request), -1 });
    for (const CapturedAttempt &attempt : bodies->attempts) {
        const int number = attempt.index + 1;
        //: %1: attempt number; %2: route
        m_parts->addItem(
            tr("#%1 %2: sent, compared with the caller's").arg(number).arg(attempt.route),
            QVariantList { int(PartKind::SentDiff), attempt.index });
        m_parts->addItem(tr("#%1 %2: sent as it went").arg(number).arg(attempt.route),
            QVariantList { int(PartKind::Sent), attempt.index });
        m_parts->addItem(attempt.status > 0
                ? tr("#%1 %2: answer, HTTP %3").arg(number).arg(attempt.route).arg(attempt.status)
                : tr("#%1 %2: answer (none came)").arg(number).arg(attempt.route),
            QVariantList { int(PartKind::Answer), attempt.index });
    }
    m_parts->setCurrentIndex(0);
    showPart(0);
}

bool BodiesPanel::showAttempt(int index)
{
    for (int item = 0; item < m_parts->count(); ++item) {
        const QVariantList part = m_parts->itemData(item).toList();
        if (PartKind(part.value(0).toInt()) == PartKind::SentDiff
            && part.value(1).toInt() == index) {
            m_parts->setCurrentIndex(item);
            return true;
        }
    }
    return false;
}

void BodiesPanel::showPart(int index)
{
    m_text->clear();
    m_text->setExtraSelections({});
    if (!m_bodies || index < 0)
        return;
    const QVariantList part = m_parts->itemData(index).toList();
    const auto kind = PartKind(part.value(0).toInt());
    const CapturedAttempt *attempt = m_bodies->attempt(part.value(1).toInt());
    switch (kind) {
    case PartKind::Request:
        m_text->setPlainText(bodyText(m_bodies->request));
        return;
    case PartKind::Answer:
        m_text->setPlainText(bodyText(attempt->received));
        return;
    case PartKind::Sent: {
        QStringList head { QStringLiteral("POST %1").arg(attempt->url) };
        for (const auto &[name, value] : attempt->headers)
            head.append(QStringLiteral("%1: %2").arg(name, value));
        m_text->setPlainText(
            head.join(QLatin1Char('\n')) + QStringLiteral("\n\n") + bodyText(attempt->sent));
        return;
    }
    case PartKind::SentDiff:
        break;
    }
    // Line by line: "-" what only the caller's request has, "+" what only the upstream's has;
    // tinted too, but the signs carry it.
    const QList<DiffLine> diff = diffLines(bodyLines(m_bodies->request.data.left(ShownBytes)),
        bodyLines(attempt->sent.data.left(ShownBytes)));
    QStringList lines;
    for (const DiffLine &line : diff) {
        const QLatin1StringView sign = line.kind == DiffLine::Kind::Removed
            ? QLatin1StringView("- ")
            : line.kind == DiffLine::Kind::Added ? QLatin1StringView("+ ")
                                                 : QLatin1StringView("  ");
        lines.append(sign + line.text);
    }
    m_text->setPlainText(lines.join(QLatin1Char('\n')));
    QList<QTextEdit::ExtraSelection> tints;
    QTextBlock block = m_text->document()->firstBlock();
    for (const DiffLine &line : diff) {
        if (line.kind != DiffLine::Kind::Same && tints.size() < MostTints) {
            QTextEdit::ExtraSelection tint;
            tint.cursor = QTextCursor(block);
            tint.format.setBackground(line.kind == DiffLine::Kind::Removed
                    ? QColor(0xfd, 0xe2, 0xe2)
                    : QColor(0xdc, 0xf5, 0xdc));
            tint.format.setForeground(Qt::black);
            tint.format.setProperty(QTextFormat::FullWidthSelection, true);
            tints.append(tint);
        }
        block = block.next();
    }
    m_text->setExtraSelections(tints);
}

void BodiesPanel::openReplay()
{
    if (!m_bodies)
        return;
    auto *dialog = new ReplayDialog(m_gateway, m_trace, *m_bodies, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

} // namespace Switchyard
