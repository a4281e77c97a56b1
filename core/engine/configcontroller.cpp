#include "engine/configcontroller.h"

#include "config/configdocument.h"
#include "engine/engine.h"

#include <QLoggingCategory>

#include <algorithm>

Q_LOGGING_CATEGORY(lcConfig, "switchyard.config", QtInfoMsg)

namespace Switchyard {

ConfigController::ConfigController(Engine *engine, ConfigDocument *document, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_document(document)
    , m_config(ConfigLoader::fromObject(document->json()).config)
{
    connect(document, &ConfigDocument::changedOnDisk, this, &ConfigController::reload);
    connect(engine, &Engine::configAnswered, this, &ConfigController::onAnswered);
    connect(engine, &Engine::configProposed, this, &ConfigController::onAdminProposal);
    engine->setConfigKeeper(true);
}

QJsonObject ConfigController::json() const
{
    return m_proposed ? *m_proposed : m_document->json();
}

QString ConfigController::path() const
{
    return m_document->path();
}

bool ConfigController::isSaved() const
{
    return m_document->isSaved();
}

void ConfigController::run(const Config &config, Answer answer)
{
    const quint64 ticket = ++m_lastTicket;
    m_waiting.insert(ticket, std::move(answer));
    m_engine->applyConfig(config, ticket);
}

void ConfigController::onAnswered(quint64 ticket, const QString &error)
{
    const Answer answer = m_waiting.take(ticket);
    if (answer)
        answer(error);
}

void ConfigController::adopt(const Config &config)
{
    m_config = config;
    Q_EMIT applied(m_config);
}

void ConfigController::propose(const QJsonObject &json, QObject *context, Done done)
{
    const ConfigResult result = ConfigLoader::fromObject(json);
    if (!result.isValid()) {
        done(result.errors);
        return;
    }
    enqueueProposal(json, result.config, QStringLiteral("the console"),
        [context = QPointer<QObject>(context), done = std::move(done)](
            const QString &refused, const QString &notSaved) {
            if (!context)
                return;
            if (!refused.isEmpty())
                done({ refused });
            else if (!notSaved.isEmpty())
                done({ QStringLiteral("applied to the running gateway, but %1").arg(notSaved) });
            else
                done({});
        });
}

void ConfigController::onAdminProposal(const QJsonObject &json, quint64 ticket)
{
    // The admin service validated it already; validated again here, as every edit is.
    const ConfigResult result = ConfigLoader::fromObject(json);
    if (!result.isValid()) {
        m_engine->answerProposal(
            ticket, { result.errors.join(QLatin1String("; ")), false, QString() });
        return;
    }
    enqueueProposal(json, result.config, QStringLiteral("the admin API"),
        [this, ticket](const QString &refused, const QString &notSaved) {
            m_engine->answerProposal(ticket,
                { refused, refused.isEmpty() && notSaved.isEmpty() && isSaved(), notSaved });
        });
}

void ConfigController::enqueueProposal(
    const QJsonObject &json, const Config &config, const QString &origin, Outcome outcome)
{
    m_proposed = json;
    Step step;
    step.kind = Step::Kind::Propose;
    step.json = json;
    step.config = config;
    step.origin = origin;
    step.outcome = std::move(outcome);
    enqueue(std::move(step));
}

void ConfigController::reload()
{
    if (!m_document->isSaved())
        return;
    // One reload waiting is enough: it reads the file as it is when its turn comes.
    for (const Step &step : m_steps) {
        if (step.kind == Step::Kind::Reload)
            return;
    }
    enqueue({});
}

void ConfigController::enqueue(Step step)
{
    m_steps.push_back(std::move(step));
    if (!m_running)
        runNext();
}

void ConfigController::runNext()
{
    if (m_steps.empty()) {
        m_running = false;
        return;
    }
    m_running = true;
    Step step = std::move(m_steps.front());
    m_steps.pop_front();
    if (step.kind == Step::Kind::Propose)
        runProposal(std::move(step));
    else
        runReload();
}

void ConfigController::runProposal(Step step)
{
    run(step.config, [this, step](const QString &refused) {
        const bool later = std::any_of(m_steps.cbegin(), m_steps.cend(),
            [](const Step &next) { return next.kind == Step::Kind::Propose; });
        if (!later)
            m_proposed.reset();
        QString writeError;
        if (refused.isEmpty()) {
            // Written only now: a file the engine would not run is never left on disk.
            m_document->save(step.json, &writeError);
            if (!writeError.isEmpty())
                m_document->adoptUnsaved(step.json); // what runs, even if the disk said no
            adopt(step.config);
            m_engine->recordConfigEvent(!writeError.isEmpty()
                    ? QStringLiteral("Applied an edit from %1, but %2").arg(step.origin, writeError)
                    : isSaved() ? QStringLiteral("Applied an edit from %1 and saved it to %2")
                                      .arg(step.origin, path())
                                : QStringLiteral("Applied an edit from %1 (the demo is not saved)")
                                      .arg(step.origin),
                true);
        }
        step.outcome(refused, writeError);
        runNext();
    });
}

void ConfigController::runReload()
{
    QByteArray bytes;
    ConfigResult result;
    if (ConfigLoader::readFile(m_document->path(), &bytes, &result))
        result = ConfigLoader::fromJson(bytes);
    if (!result.isValid()) {
        const QString why = result.errors.join(QLatin1String("; "));
        qCWarning(lcConfig).noquote()
            << QStringLiteral("%1 changed but is not valid; the running configuration stays: %2")
                   .arg(m_document->path(), why);
        m_engine->recordConfigEvent(
            QStringLiteral("%1 changed but is not valid; the running configuration stays: %2")
                .arg(m_document->path(), why),
            false);
        Q_EMIT reloadRefused(why);
        runNext();
        return;
    }
    run(result.config, [this, bytes, config = result.config](const QString &refused) {
        if (!refused.isEmpty()) {
            m_engine->recordConfigEvent(
                QStringLiteral("%1 not reloaded; the running configuration stays: %2")
                    .arg(m_document->path(), refused),
                false);
            Q_EMIT reloadRefused(refused);
        } else {
            // Exactly what was run, not the file as it may be by now: a newer change has its own
            // change event, and its own turn.
            m_document->adoptRead(bytes);
            qCInfo(lcConfig).noquote() << "reloaded" << m_document->path();
            m_engine->recordConfigEvent(
                QStringLiteral("Reloaded %1").arg(m_document->path()), false);
            adopt(config);
            Q_EMIT reloaded();
        }
        runNext();
    });
}

QStringList ConfigController::open(const QString &path)
{
    const ConfigResult result = ConfigLoader::fromFile(path);
    if (!result.isValid())
        return result.errors;
    m_document->load(path);
    reload();
    return {};
}

} // namespace Switchyard
