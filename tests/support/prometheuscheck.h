#pragma once

#include <QByteArray>
#include <QHash>
#include <QRegularExpression>
#include <QString>

namespace Switchyard::Testing {

// Checks Prometheus text exposition 0.0.4 line by line; returns the first problem, or nothing.
inline QString prometheusProblem(const QByteArray &text, QHash<QString, double> *samples)
{
    static const QRegularExpression help(
        QStringLiteral(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)"));
    static const QRegularExpression type(QStringLiteral(
        R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)"));
    static const QRegularExpression sample(QStringLiteral(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*)?\})? (-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$)"));
    QHash<QString, QString> types;
    if (!text.endsWith('\n'))
        return QStringLiteral("does not end with a newline");
    for (const QByteArray &raw : text.split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (line.isEmpty())
            continue;
        if (line.startsWith(QLatin1String("# HELP"))) {
            if (!help.match(line).hasMatch())
                return QStringLiteral("bad HELP line: ") + line;
            continue;
        }
        if (line.startsWith(QLatin1String("# TYPE"))) {
            const QRegularExpressionMatch match = type.match(line);
            if (!match.hasMatch())
                return QStringLiteral("bad TYPE line: ") + line;
            if (types.contains(match.captured(1)))
                return QStringLiteral("TYPE given twice: ") + line;
            types.insert(match.captured(1), match.captured(2));
            continue;
        }
        const QRegularExpressionMatch match = sample.match(line);
        if (!match.hasMatch())
            return QStringLiteral("bad sample line: ") + line;
        QString family = match.captured(1);
        for (const char *suffix : { "_bucket", "_sum", "_count" }) {
            if (family.endsWith(QLatin1String(suffix))
                && types.value(family.chopped(qstrlen(suffix))) == QLatin1String("histogram"))
                family.chop(qstrlen(suffix));
        }
        if (!types.contains(family))
            return QStringLiteral("sample before its TYPE: ") + line;
        samples->insert(line.section(QLatin1Char(' '), 0, 0),
            match.captured(match.lastCapturedIndex()).toDouble());
    }
    return QString();
}

} // namespace Switchyard::Testing
