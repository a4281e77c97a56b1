#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace Switchyard {

// One line of a line-by-line comparison.
struct DiffLine {
    enum class Kind { Same, Removed, Added };
    Kind kind = Kind::Same;
    QString text;

    bool operator==(const DiffLine &other) const = default;
};

// What changed from `before` to `after`, line by line: a longest common subsequence, after the
// common head and tail are set aside. Written here because no library the project uses compares
// text; it is bounded (MaxDiffCells), beyond which the differing middle shows as removed, then
// added, rather than cost the console seconds.
QList<DiffLine> diffLines(const QStringList &before, const QStringList &after);

// Cells of the comparison table at most (the differing middle's lines, multiplied).
constexpr qsizetype MaxDiffCells = 4'000'000;

// A body as lines to compare: JSON indented one field per line (so that a translation's changes
// show field by field), anything else as it is.
QStringList bodyLines(const QByteArray &body);

} // namespace Switchyard
