#pragma once

#include "config/config.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace Switchyard {

// The outcome of reading a config: the config, or every error found, each with its JSON path.
struct ConfigResult {
    Config config;
    QStringList errors;
    QStringList warnings;

    bool isValid() const { return errors.isEmpty(); }
};

// Reads and validates configuration documents. Stateless; safe from any thread.
class ConfigLoader final {
public:
    static ConfigResult fromJson(const QByteArray &json);
    // Whether the files a configuration names (TLS certificates and keys, a provider's
    // certificate authorities) are on this machine and read: they are for the gateway that runs
    // it and for check-config; a console attached to a gateway elsewhere checks the rest only.
    enum class Files { Read, Elsewhere };
    static ConfigResult fromObject(const QJsonObject &root, Files files = Files::Read);
    static ConfigResult fromFile(const QString &path);
    // Reads a config file's bytes; on failure `failure` holds the error, with its "(file)" path.
    static bool readFile(const QString &path, QByteArray *bytes, ConfigResult *failure);
};

} // namespace Switchyard
