#pragma once

#include "config/activeconfig.h"
#include "routing/keypools.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace Switchyard {

// One provider as the console's Providers view shows it: where its key comes from, whether that
// key works, and how the last Test went. Never holds the key itself.
struct ProviderSnapshot {
    enum class Test { NotRun, Running, Passed, Failed };

    QString name;
    QString kind;
    QString baseUrl;
    SecretRef key; // where its (first) key comes from (a name, never the value)
    // Of its one key, or for a pool: Set while a key serves, else why none does.
    KeyState keyState = KeyState::NotNeeded;
    QString keyDetail; // why the key is missing, unreadable or rejected; a pool's summary
    QList<KeySnapshot> keys; // each key, one or a pool's
    QStringList routes;
    Test test = Test::NotRun;
    QString testResult; // "ok: 12 models" or the classified failure
    qint64 testedAtMs = 0; // wall clock

    bool operator==(const ProviderSnapshot &other) const = default;
};

} // namespace Switchyard

Q_DECLARE_METATYPE(Switchyard::ProviderSnapshot)
