#pragma once

#include <QRegularExpression>
#include <QString>

#include <optional>

namespace Switchyard {

// One entry of a lane's `models`: a model name as clients send it ("claude-opus-4-8"), or a glob
// where `*` stands for any run of characters and `?` for one ("claude-opus-*"). Written by hand
// rather than with QRegularExpression::wildcardToRegularExpression: in Qt 6.4 that treats `/` as a
// path separator `*` cannot cross, and model names such as "meta-llama/llama-3" contain one.
class ModelPattern final {
public:
    // The longest model name matched against globs: no model is named longer, and a glob's cost
    // grows with the text it is matched against.
    static constexpr qsizetype MaxGlobbedModelLength = 256;

    // Nullopt, with `error` set, for an empty or overlong pattern.
    static std::optional<ModelPattern> parse(const QString &text, QString *error);

    const QString &text() const { return m_text; }
    bool isGlob() const { return m_glob; }
    // How well `model` fits: -1 when it does not; otherwise exact names beat every glob, and a
    // glob with more literal characters beats one with fewer ("claude-opus-*" beats "claude-*").
    int matchScore(const QString &model) const;

private:
    QString m_text;
    bool m_glob = false;
    int m_literals = 0;
    QRegularExpression m_regex;
};

} // namespace Switchyard
