#include "observe/textdiff.h"

#include <QJsonDocument>

#include <vector>

namespace Switchyard {

QList<DiffLine> diffLines(const QStringList &before, const QStringList &after)
{
    qsizetype head = 0;
    while (head < before.size() && head < after.size() && before.at(head) == after.at(head))
        ++head;
    qsizetype tail = 0;
    while (tail < before.size() - head && tail < after.size() - head
        && before.at(before.size() - 1 - tail) == after.at(after.size() - 1 - tail))
        ++tail;
    const qsizetype n = before.size() - head - tail;
    const qsizetype m = after.size() - head - tail;

    QList<DiffLine> lines;
    for (qsizetype i = 0; i < head; ++i)
        lines.append({ DiffLine::Kind::Same, before.at(i) });
    if (n > 0 && m > 0 && n * m <= MaxDiffCells) {
        // common[i][j]: the longest common subsequence of before[i..] and after[j..] (middles).
        std::vector<quint32> common(size_t((n + 1) * (m + 1)), 0);
        // Lines compared by their hashes first: most cells differ, and tell so in one compare.
        std::vector<size_t> beforeHash(static_cast<size_t>(n));
        std::vector<size_t> afterHash(static_cast<size_t>(m));
        for (qsizetype i = 0; i < n; ++i)
            beforeHash[size_t(i)] = qHash(before.at(head + i));
        for (qsizetype j = 0; j < m; ++j)
            afterHash[size_t(j)] = qHash(after.at(head + j));
        const auto same = [&](qsizetype i, qsizetype j) {
            return beforeHash[size_t(i)] == afterHash[size_t(j)]
                && before.at(head + i) == after.at(head + j);
        };
        const auto at = [&](qsizetype i, qsizetype j) -> quint32 & {
            return common[size_t(i * (m + 1) + j)];
        };
        for (qsizetype i = n - 1; i >= 0; --i) {
            for (qsizetype j = m - 1; j >= 0; --j) {
                at(i, j) = same(i, j) ? at(i + 1, j + 1) + 1 : qMax(at(i + 1, j), at(i, j + 1));
            }
        }
        qsizetype i = 0;
        qsizetype j = 0;
        while (i < n && j < m) {
            if (same(i, j)) {
                lines.append({ DiffLine::Kind::Same, before.at(head + i) });
                ++i;
                ++j;
            } else if (at(i + 1, j) >= at(i, j + 1)) {
                lines.append({ DiffLine::Kind::Removed, before.at(head + i++) });
            } else {
                lines.append({ DiffLine::Kind::Added, after.at(head + j++) });
            }
        }
        for (; i < n; ++i)
            lines.append({ DiffLine::Kind::Removed, before.at(head + i) });
        for (; j < m; ++j)
            lines.append({ DiffLine::Kind::Added, after.at(head + j) });
    } else {
        for (qsizetype i = 0; i < n; ++i)
            lines.append({ DiffLine::Kind::Removed, before.at(head + i) });
        for (qsizetype j = 0; j < m; ++j)
            lines.append({ DiffLine::Kind::Added, after.at(head + j) });
    }
    for (qsizetype i = before.size() - tail; i < before.size(); ++i)
        lines.append({ DiffLine::Kind::Same, before.at(i) });
    return lines;
}

QStringList bodyLines(const QByteArray &body)
{
    const QJsonDocument json = QJsonDocument::fromJson(body);
    const QByteArray text = json.isNull() ? body : json.toJson(QJsonDocument::Indented);
    QStringList lines = QString::fromUtf8(text).split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();
    return lines;
}

} // namespace Switchyard
