#pragma once

#include "config/config.h"

#include <QByteArray>
#include <QHash>
#include <QString>

namespace Switchyard {

// Where a provider's key (or the admin token) stands, as the Providers view shows it.
enum class KeyState {
    NotNeeded, // the config gives no key
    Reading, // the keychain has not answered yet
    Set,
    Missing, // no such keychain entry or environment variable
    Unreadable, // the keychain is locked, unreachable or failed
    Rejected, // the upstream answered 401/403 to it
};

QString keyStateName(KeyState state);

// A secret reference resolved to its value. Resolved when a config is applied or a key changes,
// never on the request path.
struct ResolvedSecret {
    bool ok = false;
    QByteArray value;
    QString error; // why it cannot be used; never contains the value
    KeyState state = KeyState::NotNeeded;

    bool operator==(const ResolvedSecret &other) const = default;
};

// A config as the engine runs it: the validated settings plus each provider's resolved key.
// Shared read-only by the requests that started on it, so a reload never changes a request mid-way.
struct ActiveConfig {
    Config config;
    QHash<QString, ResolvedSecret> providerKeys;
    ResolvedSecret adminToken;

    // The route's health probe is a one-token completion, a real signal, rather than a models
    // list (probe.kind, with "auto" resolved: a key is set and the route serves chat).
    bool probesByCompletion(const RouteConfig &route) const;
};

} // namespace Switchyard
