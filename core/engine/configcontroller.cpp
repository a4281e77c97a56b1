#include "engine/configcontroller.h"

#include "config/configdocument.h"
#include "engine/engine.h"

#include <QLoggingCategory>
#include <QPointer>

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

QJsonObject ConfigController::json() const
{
    return m_document->json();
}

QString ConfigController::path() const
{
    return m_document->path();
}

bool ConfigController::isSaved() const
{
    return m_document->isSaved();
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
    QPointer<QObject> guard(context); // same thread: checked safely when the answer comes
    run(result.config,
        [this, json, config = result.config, guard, done = std::move(done)](
            const QString &refused) {
            const bool alive = !guard.isNull();
            if (!refused.isEmpty()) {
                if (alive)
                    done({ refused });
                return;
            }
            // Written only now: a file the engine would not run is never left on disk.
            QString writeError;
            const ConfigResult saved = m_document->save(json, &writeError);
            adopt(config);
            if (alive)
                done(writeError.isEmpty()
                        ? QStringList()
                        : QStringList { QStringLiteral("applied to the running gateway, but %1")
                                            .arg(writeError) });
            Q_UNUSED(saved);
        });
}

void ConfigController::reload()
{
    if (!m_document->isSaved())
        return;
    const ConfigResult result = ConfigLoader::fromFile(m_document->path());
    if (!result.isValid()) {
        const QString why = result.errors.join(QLatin1String("; "));
        qCWarning(lcConfig).noquote()
            << QStringLiteral("%1 changed but is not valid; the running configuration stays: %2")
                   .arg(m_document->path(), why);
        Q_EMIT reloadRefused(why);
        return;
    }
    run(result.config, [this](const QString &refused) {
        if (!refused.isEmpty()) {
            Q_EMIT reloadRefused(refused);
            return;
        }
        // What was run is what is on disk now (read again: it validated a moment ago).
        const ConfigResult loaded = m_document->load(m_document->path());
        if (!loaded.isValid())
            return; // changed again meanwhile; its own change event follows
        qCInfo(lcConfig).noquote() << "reloaded" << m_document->path();
        adopt(loaded.config);
        Q_EMIT reloaded();
    });
}

QStringList ConfigController::open(const QString &path)
{
    const ConfigResult result = m_document->load(path);
    if (!result.isValid())
        return result.errors;
    run(result.config, [this, config = result.config](const QString &refused) {
        if (refused.isEmpty())
            adopt(config);
        else
            Q_EMIT reloadRefused(refused);
    });
    return {};
}

} // namespace Switchyard
