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
    m_proposed = json;
    enqueue({ Step::Kind::Propose, json, result.config, context, std::move(done) });
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
        QStringList errors;
        if (!refused.isEmpty()) {
            errors.append(refused);
        } else {
            // Written only now: a file the engine would not run is never left on disk.
            QString writeError;
            m_document->save(step.json, &writeError);
            if (!writeError.isEmpty()) {
                m_document->adoptUnsaved(step.json); // what runs, even if the disk said no
                errors.append(
                    QStringLiteral("applied to the running gateway, but %1").arg(writeError));
            }
            adopt(step.config);
        }
        if (step.context)
            step.done(errors);
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
        Q_EMIT reloadRefused(why);
        runNext();
        return;
    }
    run(result.config, [this, bytes, config = result.config](const QString &refused) {
        if (!refused.isEmpty()) {
            Q_EMIT reloadRefused(refused);
        } else {
            // Exactly what was run, not the file as it may be by now: a newer change has its own
            // change event, and its own turn.
            m_document->adoptRead(bytes);
            qCInfo(lcConfig).noquote() << "reloaded" << m_document->path();
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
