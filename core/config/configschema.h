#pragma once

#include <QString>
#include <QStringList>

namespace Switchyard {

// Every key the configuration loader accepts, named as the reference (switchyard.json(5)) names
// it: `NAME` for a name the user chooses, `[]` for the items of an array of objects, as in
// "routes.NAME.breaker.window" or "providers.NAME.simulation.incidents[].fault". The loader checks
// each object against it, and a test checks the reference against it, so neither drifts.
class ConfigSchema final {
public:
    static const QStringList &keys();
    // The keys an object at `objectPath` may hold ("" for the document itself).
    static QStringList childrenOf(const QString &objectPath);
    // A note the user keeps in the file: "//" (a comment) or "x-" (an extension) before its name.
    static bool isNote(const QString &key);
    // The known key `key` most likely stands for (a typo, a missing underscore), or empty.
    static QString suggestionFor(const QString &key, const QStringList &known);
};

} // namespace Switchyard
