#include "config/modelpattern.h"

#include <limits>

namespace Switchyard {

std::optional<ModelPattern> ModelPattern::parse(const QString &text, QString *error)
{
    if (text.isEmpty()) {
        *error = QStringLiteral("must not be empty");
        return std::nullopt;
    }
    if (text.size() > MaxGlobbedModelLength) {
        *error = QStringLiteral("must be at most %1 characters").arg(MaxGlobbedModelLength);
        return std::nullopt;
    }
    ModelPattern pattern;
    pattern.m_text = text;
    QString regex;
    QString literal;
    for (const QChar c : text) {
        if (c == QLatin1Char('*') || c == QLatin1Char('?')) {
            regex += QRegularExpression::escape(literal);
            literal.clear();
            regex += c == QLatin1Char('*') ? QStringLiteral(".*") : QStringLiteral(".");
            pattern.m_glob = true;
        } else {
            literal += c;
            ++pattern.m_literals;
        }
    }
    regex += QRegularExpression::escape(literal);
    if (pattern.m_glob) {
        pattern.m_regex.setPattern(QRegularExpression::anchoredPattern(regex));
        pattern.m_regex.setPatternOptions(QRegularExpression::DotMatchesEverythingOption);
    }
    return pattern;
}

int ModelPattern::matchScore(const QString &model) const
{
    if (!m_glob)
        return model == m_text ? std::numeric_limits<int>::max() : -1;
    if (model.size() > MaxGlobbedModelLength)
        return -1;
    return m_regex.match(model).hasMatch() ? m_literals : -1;
}

} // namespace Switchyard
