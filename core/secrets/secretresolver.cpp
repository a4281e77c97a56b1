#include "secrets/secretresolver.h"

namespace Switchyard {

ResolvedSecret SecretResolver::resolve(const SecretRef &ref)
{
    ResolvedSecret result;
    switch (ref.source) {
    case SecretRef::Source::None:
        result.ok = true;
        return result;
    case SecretRef::Source::Environment:
        result.value = qgetenv(ref.name.toLocal8Bit().constData());
        result.ok = !result.value.isEmpty();
        if (!result.ok)
            result.error = QStringLiteral("environment variable %1 is not set").arg(ref.name);
        return result;
    case SecretRef::Source::Keychain:
        // Say so plainly rather than sending requests without a key.
        result.error = QStringLiteral(
            "keychain entry '%1' cannot be read: this build has no system keychain "
            "support yet; use {\"env\": VARIABLE} instead")
                           .arg(ref.name);
        return result;
    }
    return result;
}

} // namespace Switchyard
