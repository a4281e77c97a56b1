// libFuzzer target: the config loader, as `switchyard check-config` and /admin/config read it; and
// the console's save of an edit into the same text (JsonTextEdit).
#include "config/configloader.h"
#include "config/jsontextedit.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray json(reinterpret_cast<const char *>(data), qsizetype(size));
    const Switchyard::ConfigResult result = Switchyard::ConfigLoader::fromJson(json);
    // Whatever the input, a verdict: errors, or a config that names its listen address.
    if (result.isValid() && result.config.listenAddress().isEmpty())
        __builtin_trap();

    // An edit of whatever object the text holds: a member added, the first one dropped, another
    // replaced. The edited text, when there is one, reads exactly as the edit.
    const QJsonObject read = QJsonDocument::fromJson(json).object();
    QJsonObject edited = read;
    edited.insert(QStringLiteral("x-added"), QJsonArray { 1, QStringLiteral("two") });
    if (!read.isEmpty()) {
        edited.remove(read.begin().key());
        if (read.size() > 1)
            edited.insert((read.begin() + 1).key(), QJsonObject { { QStringLiteral("k"), 3 } });
    }
    const std::optional<QByteArray> saved = Switchyard::JsonTextEdit::apply(json, edited);
    if (saved && QJsonDocument::fromJson(*saved).object() != edited)
        __builtin_trap();
    return 0;
}
