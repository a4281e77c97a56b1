#include "routedialog.h"

#include "config/config.h"
#include "statestyle.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QStyle>
#include <QTabWidget>
#include <QVBoxLayout>

namespace Switchyard {

namespace {

QJsonValue valueAt(const QJsonObject &object, const QString &path)
{
    const QStringList parts = path.split(QLatin1Char('.'));
    QJsonObject current = object;
    for (int i = 0; i + 1 < parts.size(); ++i)
        current = current.value(parts.at(i)).toObject();
    return current.value(parts.constLast());
}

void setValueAt(QJsonObject &object, const QString &path, const QJsonValue &value)
{
    const int dot = path.indexOf(QLatin1Char('.'));
    if (dot < 0) {
        object.insert(path, value);
        return;
    }
    const QString head = path.left(dot);
    QJsonObject child = object.value(head).toObject();
    setValueAt(child, path.mid(dot + 1), value);
    object.insert(head, child);
}

// Each setting: its JSON path, its range, and its default as the loader has it.
struct NumberSpec {
    const char *path;
    double minimum;
    double maximum;
    double defaultValue;
    int decimals; // 0: whole number
};

QList<NumberSpec> numberSpecs()
{
    const RouteConfig defaults;
    return {
        { "context_window", 0, 100000000, 0, 0 },
        { "price.input_per_mtok", 0, 100000, 0, 4 },
        { "price.output_per_mtok", 0, 100000, 0, 4 },
        // -1: not set, priced as input (shown as such)
        { "price.cache_read_per_mtok", -1, 100000, -1, 4 },
        { "price.cache_write_per_mtok", -1, 100000, -1, 4 },
        { "budget_usd_per_day", 0, 1000000, 0, 2 },
        { "max_tokens", 1, 10000000, double(defaults.maxTokens), 0 },
        { "timeouts_ms.connect", 1, 3600000, double(defaults.timeouts.connectMs), 0 },
        { "timeouts_ms.first_byte", 1, 3600000, double(defaults.timeouts.firstByteMs), 0 },
        { "timeouts_ms.first_token", 1, 3600000, double(defaults.timeouts.firstTokenMs), 0 },
        { "timeouts_ms.idle", 1, 3600000, double(defaults.timeouts.idleMs), 0 },
        { "timeouts_ms.total", 1, 86400000, double(defaults.timeouts.totalMs), 0 },
        { "breaker.window", 1, 10000, double(defaults.breaker.window), 0 },
        { "breaker.min_calls", 1, 10000, double(defaults.breaker.minCalls), 0 },
        { "breaker.failure_rate", 0, 1, defaults.breaker.failureRate, 2 },
        { "breaker.consecutive_failures", 1, 10000, double(defaults.breaker.consecutiveFailures),
            0 },
        { "breaker.slow_call_ms", 1, 3600000, double(defaults.breaker.slowCallMs), 0 },
        { "breaker.slow_call_rate", 0, 1, defaults.breaker.slowCallRate, 2 },
        { "breaker.cooldown_ms", 1, 86400000, double(defaults.breaker.cooldownMs), 0 },
        { "breaker.max_cooldown_ms", 1, 86400000, double(defaults.breaker.maxCooldownMs), 0 },
        { "breaker.half_open_calls", 1, 1000, double(defaults.breaker.halfOpenCalls), 0 },
        { "recovery.step_ms", 1, 86400000, double(defaults.recovery.stepMs), 0 },
        { "probe.interval_ms", 1, 86400000, double(defaults.probe.intervalMs), 0 },
        { "probe.open_interval_ms", 100, 86400000, double(defaults.probe.openIntervalMs), 0 },
        { "probe.timeout_ms", 1, 3600000, double(defaults.probe.timeoutMs), 0 },
    };
}

QString stepsText(const QList<double> &steps)
{
    QStringList parts;
    for (double step : steps)
        parts.append(QString::number(step));
    return parts.join(QLatin1String(", "));
}

} // namespace

RouteDialog::RouteDialog(const QString &name, const QJsonObject &object,
    const QStringList &providers, Validator validator, QWidget *parent)
    : QDialog(parent)
    , m_original(object)
    , m_validator(std::move(validator))
    , m_name(new QLineEdit(name, this))
    , m_provider(new QComboBox(this))
    , m_model(new QLineEdit(object.value(QLatin1String("model")).toString(), this))
    , m_recoverySteps(new QLineEdit(this))
    , m_probeKind(new QComboBox(this))
{
    setObjectName(QStringLiteral("routeDialog"));
    setWindowTitle(name.isEmpty() ? tr("Add route") : tr("Edit route %1").arg(name));
    m_name->setObjectName(QStringLiteral("name"));
    m_provider->setObjectName(QStringLiteral("provider"));
    m_model->setObjectName(QStringLiteral("model"));
    m_name->setReadOnly(!name.isEmpty()); // lanes name it; remove and add to rename
    m_name->setPlaceholderText(tr("e.g. llama-fast"));
    m_model->setPlaceholderText(tr("the provider's model id, e.g. llama-3.1-8b-instant"));
    m_provider->addItems(providers);
    const QString provider = object.value(QLatin1String("provider")).toString();
    if (!provider.isEmpty())
        m_provider->setCurrentText(provider);

    for (const NumberSpec &spec : numberSpecs()) {
        QAbstractSpinBox *box;
        const QString path = QString::fromLatin1(spec.path);
        const QJsonValue stored = valueAt(object, path);
        const double value = stored.isDouble() ? stored.toDouble() : spec.defaultValue;
        if (spec.decimals == 0) {
            auto *spin = new QSpinBox(this);
            spin->setRange(int(spec.minimum), int(spec.maximum));
            spin->setValue(int(value));
            spin->setGroupSeparatorShown(true);
            box = spin;
        } else {
            auto *spin = new QDoubleSpinBox(this);
            spin->setDecimals(spec.decimals);
            spin->setRange(spec.minimum, spec.maximum);
            spin->setValue(value);
            box = spin;
        }
        box->setObjectName(path);
        m_numbers.append(NumberField { path, box, spec.defaultValue });
    }
    // Zero means "not set" for these three; say so rather than show a bare 0.
    numberBox(QStringLiteral("context_window"))->setSpecialValueText(tr("unknown"));
    numberBox(QStringLiteral("budget_usd_per_day"))->setSpecialValueText(tr("no cap"));
    for (const char *cachePrice : { "price.cache_read_per_mtok", "price.cache_write_per_mtok" })
        numberBox(QString::fromLatin1(cachePrice))->setSpecialValueText(tr("as input"));

    for (Capability capability : allCapabilities()) {
        const QString capabilityId = capabilityName(capability);
        auto *box = new QCheckBox(capabilityId, this);
        box->setObjectName(QStringLiteral("capability.") + capabilityId);
        m_capabilities.insert(capabilityId, box);
    }
    const QJsonValue capabilities = object.value(QLatin1String("capabilities"));
    // Without the key a route is assumed to do everything but embeddings (as the loader does).
    const Capabilities assumed = capabilities.isArray()
        ? 0
        : unsigned(Capability::Tools) | unsigned(Capability::Json) | unsigned(Capability::Vision)
            | unsigned(Capability::Stream);
    for (Capability capability : allCapabilities()) {
        const QString capabilityId = capabilityName(capability);
        m_capabilities.value(capabilityId)
            ->setChecked(capabilities.isArray() ? capabilities.toArray().contains(capabilityId)
                                                : (assumed & unsigned(capability)) != 0);
    }

    const RouteConfig defaults;
    const QJsonValue steps = valueAt(object, QStringLiteral("recovery.steps"));
    if (steps.isArray()) {
        QList<double> values;
        for (const QJsonValue &step : steps.toArray())
            values.append(step.toDouble());
        m_recoverySteps->setText(stepsText(values));
    } else {
        m_recoverySteps->setText(stepsText(defaults.recovery.steps));
    }
    m_recoverySteps->setObjectName(QStringLiteral("recovery.steps"));
    m_probeKind->setObjectName(QStringLiteral("probe.kind"));
    m_probeKind->addItem(tr("automatic: a completion when a key is set"), QStringLiteral("auto"));
    m_probeKind->addItem(tr("models list"), QStringLiteral("models"));
    m_probeKind->addItem(tr("one-token completion"), QStringLiteral("completion"));
    m_probeKind->setCurrentIndex(m_probeKind->findData(
        valueAt(object, QStringLiteral("probe.kind")).toString(defaults.probe.kind)));

    for (const QString &section : { QString(), QStringLiteral("timeouts_ms"),
             QStringLiteral("breaker"), QStringLiteral("recovery") })
        m_sectionErrors.insert(section, StateStyle::inlineErrorLabel(this));

    auto *general = new QWidget(this);
    auto *generalForm = new QFormLayout(general);
    generalForm->addRow(tr("&Name:"), m_name);
    generalForm->addRow(tr("&Provider:"), m_provider);
    generalForm->addRow(tr("&Model:"), m_model);
    auto *capabilityRow = new QHBoxLayout;
    for (Capability capability : allCapabilities())
        capabilityRow->addWidget(m_capabilities.value(capabilityName(capability)));
    capabilityRow->addStretch();
    generalForm->addRow(tr("Capabilities:"), capabilityRow);
    generalForm->addRow(
        tr("Context window (tokens):"), numberBox(QStringLiteral("context_window")));
    generalForm->addRow(tr("Input price (USD per million tokens):"),
        numberBox(QStringLiteral("price.input_per_mtok")));
    generalForm->addRow(tr("Output price (USD per million tokens):"),
        numberBox(QStringLiteral("price.output_per_mtok")));
    generalForm->addRow(tr("Prompt-cache read price (USD per million tokens):"),
        numberBox(QStringLiteral("price.cache_read_per_mtok")));
    generalForm->addRow(tr("Prompt-cache write price (USD per million tokens):"),
        numberBox(QStringLiteral("price.cache_write_per_mtok")));
    generalForm->addRow(
        tr("Spend cap (USD per day):"), numberBox(QStringLiteral("budget_usd_per_day")));
    generalForm->addRow(
        tr("Max tokens when the caller sets none:"), numberBox(QStringLiteral("max_tokens")));
    generalForm->addRow(m_sectionErrors.value(QString()));

    auto *tabs = new QTabWidget(this);
    m_tabs = tabs;
    m_sectionTabs = { { QString(), 0 }, { QStringLiteral("timeouts_ms"), 1 },
        { QStringLiteral("breaker"), 2 }, { QStringLiteral("recovery"), 3 } };
    tabs->addTab(general, tr("General"));
    tabs->addTab(
        addNumbers({ { QStringLiteral("timeouts_ms.connect"), tr("Connect (ms):") },
                       { QStringLiteral("timeouts_ms.first_byte"), tr("First byte (ms):") },
                       { QStringLiteral("timeouts_ms.first_token"), tr("First token (ms):") },
                       { QStringLiteral("timeouts_ms.idle"), tr("Idle between chunks (ms):") },
                       { QStringLiteral("timeouts_ms.total"), tr("Whole call (ms):") } },
            m_sectionErrors.value(QStringLiteral("timeouts_ms"))),
        tr("Timeouts"));
    tabs->addTab(
        addNumbers(
            { { QStringLiteral("breaker.window"), tr("Window (calls):") },
                { QStringLiteral("breaker.min_calls"), tr("Minimum calls:") },
                { QStringLiteral("breaker.failure_rate"), tr("Failure rate to open:") },
                { QStringLiteral("breaker.consecutive_failures"),
                    tr("Consecutive failures to open:") },
                { QStringLiteral("breaker.slow_call_ms"), tr("Slow call (ms):") },
                { QStringLiteral("breaker.slow_call_rate"), tr("Slow call rate to open:") },
                { QStringLiteral("breaker.cooldown_ms"), tr("Cooldown (ms):") },
                { QStringLiteral("breaker.max_cooldown_ms"), tr("Longest cooldown (ms):") },
                { QStringLiteral("breaker.half_open_calls"), tr("Half-open trial calls:") } },
            m_sectionErrors.value(QStringLiteral("breaker"))),
        tr("Breaker"));
    QWidget *recovery = addNumbers(
        { { QStringLiteral("recovery.step_ms"), tr("Recovery step (ms):") },
            { QStringLiteral("probe.interval_ms"), tr("Probe interval (ms):") },
            { QStringLiteral("probe.open_interval_ms"), tr("Probe interval while open (ms):") },
            { QStringLiteral("probe.timeout_ms"), tr("Probe timeout (ms):") } },
        m_sectionErrors.value(QStringLiteral("recovery")));
    auto *recoveryForm = static_cast<QFormLayout *>(recovery->layout());
    recoveryForm->insertRow(0, tr("Recovery traffic steps:"), m_recoverySteps);
    recoveryForm->insertRow(3, tr("Probe:"), m_probeKind);
    tabs->addTab(recovery, tr("Recovery and probe"));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(tabs);
    layout->addWidget(buttons);

    const auto revalidate = [this] {
        if (m_validated)
            validate();
    };
    for (QLineEdit *edit : { m_name, m_model, m_recoverySteps })
        connect(edit, &QLineEdit::textChanged, this, revalidate);
    for (const NumberField &field : std::as_const(m_numbers))
        connect(field.box, &QAbstractSpinBox::editingFinished, this, revalidate);
}

QWidget *RouteDialog::addNumbers(const QList<QPair<QString, QString>> &paths, QLabel *errors)
{
    auto *page = new QWidget(this);
    auto *form = new QFormLayout(page);
    for (const auto &[path, label] : paths)
        form->addRow(label, numberBox(path));
    form->addRow(errors);
    return page;
}

QAbstractSpinBox *RouteDialog::numberBox(const QString &path)
{
    for (const NumberField &field : std::as_const(m_numbers)) {
        if (field.path == path)
            return field.box;
    }
    Q_UNREACHABLE();
}

QString RouteDialog::name() const
{
    return m_name->text().trimmed();
}

QJsonObject RouteDialog::object() const
{
    QJsonObject object = m_original;
    object.insert(QStringLiteral("provider"), m_provider->currentText());
    object.insert(QStringLiteral("model"), m_model->text().trimmed());
    QJsonArray capabilities;
    for (Capability capability : allCapabilities()) {
        if (m_capabilities.value(capabilityName(capability))->isChecked())
            capabilities.append(capabilityName(capability));
    }
    object.insert(QStringLiteral("capabilities"), capabilities);
    for (const NumberField &field : m_numbers) {
        const bool whole = qobject_cast<QSpinBox *>(field.box) != nullptr;
        const double value = whole ? double(static_cast<QSpinBox *>(field.box)->value())
                                   : static_cast<QDoubleSpinBox *>(field.box)->value();
        const QJsonValue stored = valueAt(m_original, field.path);
        if (stored.isUndefined() && value == field.defaultValue)
            continue;
        if (field.path.startsWith(QLatin1String("price.cache_")) && value < 0) {
            setValueAt(object, field.path, QJsonValue(QJsonValue::Undefined)); // "as input"
            continue;
        }
        if (field.path == QLatin1String("context_window") && value == 0) {
            object.remove(field.path); // 0 is "unknown", which the file says by leaving it out
            continue;
        }
        // An untouched value stays exactly as written, not rounded to what the box shows.
        if (stored.isDouble() && !whole) {
            auto *box = static_cast<QDoubleSpinBox *>(field.box);
            if (qFuzzyCompare(
                    1.0 + box->valueFromText(box->textFromValue(stored.toDouble())), 1.0 + value))
                continue;
        }
        setValueAt(object, field.path, whole ? QJsonValue(qint64(value)) : QJsonValue(value));
    }
    QJsonArray steps;
    for (const QString &part :
        m_recoverySteps->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double step = part.trimmed().toDouble(&ok);
        steps.append(ok ? QJsonValue(step) : QJsonValue(part.trimmed()));
    }
    if (!valueAt(m_original, QStringLiteral("recovery.steps")).isUndefined()
        || m_recoverySteps->text() != stepsText(RouteConfig().recovery.steps))
        setValueAt(object, QStringLiteral("recovery.steps"), steps);
    const QString probeKind = m_probeKind->currentData().toString();
    if (!valueAt(m_original, QStringLiteral("probe.kind")).isUndefined()
        || probeKind != RouteConfig().probe.kind)
        setValueAt(object, QStringLiteral("probe.kind"), probeKind);
    return object;
}

void RouteDialog::done(int result)
{
    if (result == QDialog::Accepted && !validate())
        return;
    QDialog::done(result);
}

bool RouteDialog::validate()
{
    m_validated = true;
    QHash<QString, QStringList> bySection;
    const QString name = this->name();
    if (name.isEmpty())
        bySection[QString()].append(tr("A route needs a name."));
    const QString prefix = QStringLiteral("routes.") + name + QLatin1Char('.');
    const QStringList errors = name.isEmpty() ? QStringList() : m_validator(name, object());
    for (const QString &error : errors) {
        QString section;
        QString text = error;
        if (error.startsWith(prefix)) {
            text = error.mid(prefix.size());
            const QString head = text.section(QLatin1Char('.'), 0, 0);
            if (head == QLatin1String("timeouts_ms") || head == QLatin1String("breaker"))
                section = head;
            else if (head == QLatin1String("recovery") || head == QLatin1String("probe"))
                section = QStringLiteral("recovery");
        }
        bySection[section].append(text);
    }
    int firstTabWithErrors = -1;
    for (auto label = m_sectionErrors.cbegin(); label != m_sectionErrors.cend(); ++label) {
        const QStringList sectionErrors = bySection.value(label.key());
        label.value()->setText(sectionErrors.join(QLatin1Char('\n')));
        label.value()->setVisible(!sectionErrors.isEmpty());
        const int tab = m_sectionTabs.value(label.key());
        // A warning sign on every tab with errors, so none hides behind another tab.
        m_tabs->setTabIcon(tab,
            sectionErrors.isEmpty() ? QIcon()
                                    : style()->standardIcon(QStyle::SP_MessageBoxWarning));
        if (!sectionErrors.isEmpty() && (firstTabWithErrors < 0 || tab < firstTabWithErrors))
            firstTabWithErrors = tab;
    }
    if (firstTabWithErrors >= 0 && m_tabs->tabIcon(m_tabs->currentIndex()).isNull())
        m_tabs->setCurrentIndex(firstTabWithErrors);
    return bySection.isEmpty();
}

} // namespace Switchyard
