#pragma once

#include "config/config.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <deque>
#include <functional>
#include <optional>

namespace Switchyard {

class ConfigDocument;
class Engine;

// The one owner of the configuration the gateway runs (issue 15): parses the document once, and
// reloads the file when it changes on disk or on SIGHUP, whatever any view is doing (headless
// too). An edit is run by the engine first and written to the file only once the engine has
// accepted it; then everyone is told what now runs. Edits and reloads are run one at a time, in
// the order asked, so the file and the engine never end up on different configs. Lives in the
// thread that owns the document (the console's, or the headless main thread).
class ConfigController final : public QObject {
    Q_OBJECT
public:
    // `errors` is empty when the edit runs (and is saved, if the document has a file).
    using Done = std::function<void(const QStringList &errors)>;

    ConfigController(Engine *engine, ConfigDocument *document, QObject *parent = nullptr);

    // The document the next edit builds on: what runs, or the last edit still on its way (so a
    // second edit made meanwhile does not undo the first). Unknown keys included.
    QJsonObject json() const;
    // What runs now.
    const Config &config() const { return m_config; }
    QString path() const;
    bool isSaved() const; // false for the built-in demo, which is never written

    // Validates `json`, has the engine run it, then saves it. `done` is called unless `context`
    // (an object of this thread) is gone by then.
    void propose(const QJsonObject &json, QObject *context, Done done);
    // Reads the file again and runs it; a file that does not validate, or that the engine
    // refuses, leaves the running config as it is and says why (reloadRefused).
    void reload();
    // Runs another file from now on (the console's "use my own configuration"); returns its
    // validation errors, if any (and then nothing changes).
    QStringList open(const QString &path);

Q_SIGNALS:
    // What runs now, after an edit or a reload.
    void applied(const Switchyard::Config &config);
    // The file changed on disk and now runs.
    void reloaded();
    void reloadRefused(const QString &why);

private:
    // What became of an edit: `refused` empty once it runs; `notSaved` why it runs unsaved.
    using Outcome = std::function<void(const QString &refused, const QString &notSaved)>;
    struct Step {
        enum class Kind { Propose, Reload };
        Kind kind = Kind::Reload;
        QJsonObject json;
        Config config;
        QString origin; // who edited, for the event log
        Outcome outcome;
    };
    using Answer = std::function<void(const QString &refused)>;

    void enqueue(Step step);
    void runNext();
    void runProposal(Step step);
    void runReload();
    // Has the engine run `config`; `answer` is called here once it has, or has refused.
    void run(const Config &config, Answer answer);
    void onAnswered(quint64 ticket, const QString &error);
    // A config posted to the admin API: run and saved in turn, like the console's edits.
    void onAdminProposal(const QJsonObject &json, quint64 ticket);
    void enqueueProposal(
        const QJsonObject &json, const Config &config, const QString &origin, Outcome outcome);
    void adopt(const Config &config);

    Engine *m_engine;
    ConfigDocument *m_document;
    Config m_config;
    std::deque<Step> m_steps;
    bool m_running = false;
    std::optional<QJsonObject> m_proposed; // the newest edit not answered yet
    quint64 m_lastTicket = 0;
    QHash<quint64, Answer> m_waiting;
};

} // namespace Switchyard
