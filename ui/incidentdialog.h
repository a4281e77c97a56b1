#pragma once

#include "observe/incidentreport.h"

#include <QDialog>

class QDateTimeEdit;
class QLabel;
class QPushButton;
class QTextBrowser;

namespace Switchyard {

class GatewayLink;

// The incident report for the post-mortem: a range (by default the current or last incident's),
// the report as the gateway tells it, and Save as Markdown, HTML or PDF.
class IncidentDialog final : public QDialog {
    Q_OBJECT
public:
    enum class Format { Markdown, Html, Pdf };

    explicit IncidentDialog(GatewayLink *gateway, QWidget *parent = nullptr);

    // Asks the gateway for the report of the default range, or of the range in the editors.
    void readDefaultRange();
    void readChosenRange();
    // Writes the report shown; false with `error` set when it could not be written.
    bool saveAs(Format format, const QString &path, QString *error) const;
    bool hasReport() const { return m_report.has_value(); }
    const IncidentReport &report() const { return *m_report; }

Q_SIGNALS:
    // A report (or why there is none) came from the gateway.
    void reportShown();

private:
    void read(qint64 fromMs, qint64 toMs);
    void showReport(const IncidentReport &report, const QString &error);
    void askWhereAndSave(Format format);

    GatewayLink *m_gateway;
    QDateTimeEdit *m_from;
    QDateTimeEdit *m_to;
    QTextBrowser *m_view;
    QLabel *m_status;
    QList<QPushButton *> m_saveButtons;
    std::optional<IncidentReport> m_report;
    quint64 m_reading = 0; // the latest read: an older answer arriving late is dropped
};

} // namespace Switchyard
