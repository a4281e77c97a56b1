#pragma once

#include <QList>
#include <QString>

namespace Switchyard {

// A well-known endpoint to start a provider from: its kind and base URL, and the keychain entry
// name a key would usually go under. Prices are not here: they change, and the user enters them.
struct KnownProvider {
    QString id; // a suggested provider name, e.g. "groq"
    QString displayName;
    QString kind; // "openai" or "anthropic"
    QString baseUrl;
    bool needsKey = true; // local servers take none
};

const QList<KnownProvider> &knownProviders();

} // namespace Switchyard
