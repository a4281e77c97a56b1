#include "tracesview.h"

#include "bodiespanel.h"
#include "capturenotice.h"
#include "link/gatewaylink.h"
#include "models/tracelistmodel.h"
#include "observe/tracestore.h"
#include "samplingnotice.h"
#include "tableviews.h"
#include "timelinewidget.h"
#include "translate/callerprotocol.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

namespace Switchyard {

namespace {

// Rows of requests that did not end well stand out: tinted, on top of the class their Class
// column names in words.
class TraceRowDelegate final : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        if (!index.data(TraceListModel::ErrorRole).toBool())
            return;
        option->backgroundBrush = QColor(0xfd, 0xe2, 0xe2);
        option->palette.setColor(QPalette::Text, Qt::black); // on the light tint, in any theme
    }
};

} // namespace

TracesView::TracesView(TraceListModel *model, GatewayLink *gateway, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_gateway(gateway)
    , m_search(new QLineEdit(this))
    , m_found(new QLabel(this))
    , m_export(new QPushButton(tr("&Export…"), this))
    , m_filter(new TraceFilterModel(this))
    , m_table(new QTableView(this))
    , m_timeline(new TimelineWidget(this))
    , m_bodies(new BodiesPanel(gateway, this))
    , m_api(new QComboBox(this))
    , m_lane(new QComboBox(this))
    , m_route(new QComboBox(this))
    , m_class(new QComboBox(this))
    , m_onlyFallbacks(new QCheckBox(tr("Only fallbacks"), this))
    , m_onlyErrors(new QCheckBox(tr("Only errors"), this))
{
    setObjectName(QStringLiteral("tracesView"));
    m_filter->setSourceModel(model);
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->verticalHeader()->hide();
    m_table->setAlternatingRowColors(true);
    m_table->setItemDelegate(new TraceRowDelegate(m_table));
    keepColumnsFitted(m_table);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(TraceListModel::Route, QHeaderView::Stretch);

    m_api->setObjectName(QStringLiteral("apiFilter"));
    m_api->addItem(tr("All APIs"), QString());
    for (const QString &api : CallerProtocol::apiNames())
        m_api->addItem(api, api);
    m_class->addItem(tr("All classes"), QString());
    for (FailureClass failureClass : allFailureClasses())
        m_class->addItem(failureClassName(failureClass), failureClassName(failureClass));
    setLanesAndRoutes({}, {});

    connect(m_api, &QComboBox::currentIndexChanged, this,
        [this] { m_filter->setApi(m_api->currentData().toString()); });
    connect(m_lane, &QComboBox::currentIndexChanged, this,
        [this] { m_filter->setLane(m_lane->currentData().toString()); });
    connect(m_route, &QComboBox::currentIndexChanged, this,
        [this] { m_filter->setRoute(m_route->currentData().toString()); });
    connect(m_class, &QComboBox::currentIndexChanged, this,
        [this] { m_filter->setFailureClass(m_class->currentData().toString()); });
    connect(m_onlyFallbacks, &QCheckBox::toggled, m_filter, &TraceFilterModel::setOnlyFallbacks);
    connect(m_onlyErrors, &QCheckBox::toggled, m_filter, &TraceFilterModel::setOnlyErrors);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &TracesView::showSelected);

    m_search->setObjectName(QStringLiteral("requestIdSearch"));
    m_search->setPlaceholderText(tr("Find a request id (X-Switchyard-Request-Id)…"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::returnPressed, this, [this] { findRequest(m_search->text()); });
    m_found->setObjectName(QStringLiteral("requestIdFound"));
    m_found->setWordWrap(true); // a search that finds nothing may say why, in a sentence or two
    m_found->hide();
    m_export->setObjectName(QStringLiteral("exportTraces"));
    m_export->setToolTip(tr("Save the selected requests with their attempts as JSON (never a "
                            "prompt, an answer or a key: traces hold none)"));
    m_export->setEnabled(false);
    connect(m_export, &QPushButton::clicked, this, &TracesView::chooseExportFile);

    auto *search = new QHBoxLayout;
    search->addWidget(m_search, 1);
    search->addWidget(m_found, 2);
    search->addWidget(m_export);
    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Filter:"), this));
    filters->addWidget(m_api);
    filters->addWidget(m_lane);
    filters->addWidget(m_route);
    filters->addWidget(m_class);
    filters->addWidget(m_onlyFallbacks);
    filters->addWidget(m_onlyErrors);
    filters->addStretch(1);
    // The selected request: its attempts in time, and beside them what was sent and answered; a
    // click on an attempt shows what it was sent.
    connect(m_timeline, &TimelineWidget::attemptClicked, m_bodies, &BodiesPanel::showAttempt);
    auto *detail = new QSplitter(Qt::Horizontal, this);
    detail->addWidget(m_timeline);
    detail->addWidget(m_bodies);
    detail->setStretchFactor(0, 1);
    detail->setStretchFactor(1, 1);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new CaptureNotice(gateway, CaptureNotice::Form::Banner, this));
    layout->addWidget(new SamplingNotice(gateway, this));
    layout->addLayout(search);
    layout->addLayout(filters);
    layout->addWidget(splitter, 1);
}

void TracesView::setLanesAndRoutes(const QStringList &lanes, const QStringList &routes)
{
    const QString lane = m_lane->currentData().toString();
    const QString route = m_route->currentData().toString();
    m_lane->clear();
    m_lane->addItem(tr("All lanes"), QString());
    for (const QString &name : lanes)
        m_lane->addItem(name, name);
    m_lane->setCurrentIndex(qMax(0, m_lane->findData(lane)));
    m_route->clear();
    m_route->addItem(tr("All routes"), QString());
    for (const QString &name : routes)
        m_route->addItem(name, name);
    m_route->setCurrentIndex(qMax(0, m_route->findData(route)));
}

void TracesView::selectRow(int row)
{
    m_table->selectRow(row);
    m_table->scrollTo(m_filter->index(row, 0));
}

bool TracesView::selectNewest(const std::function<bool(const TraceRecord &)> &matches)
{
    for (int row = 0; row < m_filter->rowCount(); ++row) {
        if (matches(m_model->trace(m_filter->mapToSource(m_filter->index(row, 0)).row()))) {
            selectRow(row);
            return true;
        }
    }
    return false;
}

void TracesView::showSelected()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    m_export->setEnabled(!rows.isEmpty());
    if (rows.isEmpty())
        return;
    const TraceRecord &trace = m_model->trace(m_filter->mapToSource(rows.first()).row());
    m_timeline->setTrace(trace);
    m_bodies->showTrace(trace);
}

void TracesView::findRequest(const QString &text)
{
    const QString id = text.trimmed();
    // What the gateway hands out: letters, digits, '_' and '-'. Anything else finds nothing,
    // without a call.
    static const QRegularExpression plausible(QStringLiteral("^[A-Za-z0-9_-]{1,128}$"));
    auto say = [this](const QString &text) {
        m_found->setText(text);
        m_found->setVisible(!text.isEmpty());
    };
    if (!plausible.match(id).hasMatch()) {
        say(id.isEmpty() ? QString() : tr("Not a request id: %1").arg(id.left(40)));
        return;
    }
    if (selectNewest([&id](const TraceRecord &trace) { return trace.id == id; })) {
        say(QString());
        return;
    }
    // Filtered out, or older than the list: the gateway's store has every request it kept.
    say(tr("Looking for %1…").arg(id));
    m_gateway->findTrace(id, this, [this, id, say](const std::optional<TraceRecord> &trace) {
        if (m_search->text().trimmed() != id)
            return; // another search since
        if (!trace) {
            const double ratio = m_gateway->config().traceSuccessSampleRatio;
            say(TraceStore::sampled(id, ratio)
                    ? tr("No request %1 in this gateway's traces").arg(id)
                    //: traces.success_sample_ratio is a configuration key, not translated
                    : tr("No request %1 in this gateway's traces. Successes are written only as "
                         "a sample (traces.success_sample_ratio), and this id is not among those "
                         "it keeps: if the request was answered at the first try, it may not "
                         "have been kept.")
                          .arg(id));
            return;
        }
        m_table->clearSelection();
        m_timeline->setTrace(*trace);
        m_bodies->showTrace(*trace);
        //: %1: a request id; %2: when it started
        say(tr("%1, from %2: shown below")
                .arg(id,
                    QDateTime::fromMSecsSinceEpoch(trace->startedAtUtcMs).toString(Qt::ISODate)));
    });
}

QList<TraceRecord> TracesView::selectedTraces() const
{
    QList<int> rows;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        rows.append(m_filter->mapToSource(index).row());
    std::sort(rows.begin(), rows.end()); // the list is newest first
    QList<TraceRecord> traces;
    for (int row : rows)
        traces.append(m_model->trace(row));
    return traces;
}

bool TracesView::exportSelected(const QString &path, QString *error) const
{
    QJsonArray traces;
    for (const TraceRecord &trace : selectedTraces())
        traces.append(trace.toJson());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return false;
    }
    file.write(QJsonDocument(traces).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

void TracesView::chooseExportFile()
{
    auto *dialog = new QFileDialog(this, tr("Export Requests"), QString(), tr("JSON (*.json)"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("json"));
    dialog->selectFile(QStringLiteral("switchyard-requests.json"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        QString error;
        if (exportSelected(path, &error))
            m_found->setText(tr("%n request(s) saved to %1", nullptr,
                int(m_table->selectionModel()->selectedRows().size()))
                                 .arg(path));
        else
            m_found->setText(tr("Not saved: %1").arg(error));
        m_found->show();
    });
    dialog->open();
}

} // namespace Switchyard
