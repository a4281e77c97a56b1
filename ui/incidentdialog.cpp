#include "incidentdialog.h"

#include "link/gatewaylink.h"

#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPrinter>
#include <QPushButton>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTextBrowser>
#include <QTextDocument>
#include <QVBoxLayout>

namespace Switchyard {

namespace {

QDateTimeEdit *utcEditor(QWidget *parent)
{
    auto *editor = new QDateTimeEdit(parent);
    editor->setTimeSpec(Qt::UTC); // the report speaks UTC; so do its bounds
    editor->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
    editor->setCalendarPopup(true);
    return editor;
}

} // namespace

IncidentDialog::IncidentDialog(GatewayLink *gateway, QWidget *parent)
    : QDialog(parent)
    , m_gateway(gateway)
    , m_from(utcEditor(this))
    , m_to(utcEditor(this))
    , m_view(new QTextBrowser(this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("incidentDialog"));
    setWindowTitle(tr("Incident Report"));
    m_from->setAccessibleName(tr("From"));
    m_to->setAccessibleName(tr("To"));
    m_view->setOpenLinks(false);
    m_status->setWordWrap(true);

    auto *show = new QPushButton(tr("&Show Range"), this);
    show->setToolTip(tr("The report of the range above"));
    auto *current = new QPushButton(tr("&Latest Incident"), this);
    current->setToolTip(tr("From a minute before the first breaker of the latest incident opened, "
                           "to now"));
    connect(show, &QPushButton::clicked, this, &IncidentDialog::readChosenRange);
    connect(current, &QPushButton::clicked, this, &IncidentDialog::readDefaultRange);

    auto *range = new QHBoxLayout;
    range->addWidget(new QLabel(tr("From:"), this));
    range->addWidget(m_from);
    range->addWidget(new QLabel(tr("To:"), this));
    range->addWidget(m_to);
    range->addWidget(show);
    range->addWidget(current);
    range->addStretch(1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    const QList<std::pair<QString, Format>> saves { { tr("Save as &Markdown…"), Format::Markdown },
        { tr("Save as &HTML…"), Format::Html }, { tr("Save as &PDF…"), Format::Pdf } };
    for (const auto &[text, format] : saves) {
        QPushButton *button = buttons->addButton(text, QDialogButtonBox::ActionRole);
        button->setEnabled(false);
        connect(button, &QPushButton::clicked, this,
            [this, format = format] { askWhereAndSave(format); });
        m_saveButtons.append(button);
    }
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(range);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(900, 700);
    readDefaultRange();
}

void IncidentDialog::readDefaultRange()
{
    read(-1, -1);
}

void IncidentDialog::readChosenRange()
{
    const qint64 from = m_from->dateTime().toMSecsSinceEpoch();
    const qint64 to = m_to->dateTime().toMSecsSinceEpoch();
    if (from > to) {
        m_status->setText(tr("The range ends before it starts."));
        return;
    }
    read(from, to);
}

void IncidentDialog::read(qint64 fromMs, qint64 toMs)
{
    m_status->setText(tr("Reading the gateway's traces…"));
    const quint64 reading = ++m_reading;
    m_gateway->readIncident(
        fromMs, toMs, this, [this, reading](const IncidentReport &report, const QString &error) {
            if (reading == m_reading)
                showReport(report, error);
        });
}

void IncidentDialog::showReport(const IncidentReport &report, const QString &error)
{
    if (!error.isEmpty()) {
        m_status->setText(tr("The gateway did not give the report: %1").arg(error));
        Q_EMIT reportShown();
        return;
    }
    m_report = report;
    m_from->setDateTime(QDateTime::fromMSecsSinceEpoch(report.fromMs, Qt::UTC));
    m_to->setDateTime(QDateTime::fromMSecsSinceEpoch(report.toMs, Qt::UTC));
    m_view->setHtml(report.toHtml());
    m_status->setText(tr("Times are UTC. The report covers the gateway's stored traces and "
                         "events of this range."));
    for (QPushButton *button : std::as_const(m_saveButtons))
        button->setEnabled(true);
    Q_EMIT reportShown();
}

void IncidentDialog::askWhereAndSave(Format format)
{
    if (!m_report)
        return;
    const QString suffix = format == Format::Markdown ? QStringLiteral("md")
        : format == Format::Html                      ? QStringLiteral("html")
                                                      : QStringLiteral("pdf");
    const QString name = QStringLiteral("incident-%1.%2")
                             .arg(QDateTime::fromMSecsSinceEpoch(m_report->fromMs, Qt::UTC)
                                      .toString(QStringLiteral("yyyyMMdd-HHmm")),
                                 suffix);
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Incident Report"),
        folder + QLatin1Char('/') + name, QStringLiteral("*.%1").arg(suffix));
    if (path.isEmpty())
        return;
    QString error;
    if (saveAs(format, path, &error))
        m_status->setText(tr("Saved to %1").arg(path));
    else
        m_status->setText(error);
}

bool IncidentDialog::saveAs(Format format, const QString &path, QString *error) const
{
    if (!m_report) {
        *error = tr("There is no report to save yet.");
        return false;
    }
    if (format == Format::Pdf) {
        QPrinter printer(QPrinter::HighResolution);
        printer.setOutputFormat(QPrinter::PdfFormat);
        printer.setOutputFileName(path);
        printer.setDocName(windowTitle());
        QTextDocument document;
        document.setHtml(m_report->toHtml());
        document.print(&printer);
        if (!QFile::exists(path)) {
            *error = tr("Could not write %1.").arg(path);
            return false;
        }
        return true;
    }
    const QString text = format == Format::Markdown ? m_report->toMarkdown() : m_report->toHtml();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit()) {
        *error = tr("Could not write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace Switchyard
