// Turns the two manual pages kept as Markdown (switchyard.1.md, switchyard.json.5.md: readable in
// the repository, and the same text installed) into man(7) roff at build time.
//
// Written by hand because no package in the project's dependency set converts Markdown to roff
// (pandoc or go-md2man would be a build dependency for two pages), and because the pages keep to
// a small subset on purpose: "#" title, "##" sections, "###" subsections, paragraphs, "- " items,
// fenced code, `code`, **bold** and *italic*. Anything else is an error, so a page that would
// render wrongly fails the build instead.
#include <QCoreApplication>
#include <QFile>
#include <QRegularExpression>
#include <QStringList>
#include <QTextStream>

namespace {

// Roff's own characters: a backslash, and a dot or quote where a line starts. Every hyphen is a
// minus, so that options copied from the page work.
QString escaped(QString text)
{
    text.replace(QLatin1Char('\\'), QLatin1String("\\e"));
    text.replace(QLatin1Char('-'), QLatin1String("\\-"));
    return text;
}

QString lineStart(const QString &line)
{
    return line.startsWith(QLatin1Char('.')) || line.startsWith(QLatin1Char('\''))
        ? QLatin1String("\\&") + line
        : line;
}

QString inlineMarkup(const QString &text)
{
    static const QRegularExpression token(
        QStringLiteral("`([^`]+)`|\\*\\*([^*]+)\\*\\*|\\*([^*\\s][^*]*)\\*"));
    QString result;
    qsizetype at = 0;
    for (auto match = token.globalMatch(text); match.hasNext();) {
        const QRegularExpressionMatch m = match.next();
        result += escaped(text.mid(at, m.capturedStart() - at));
        if (m.capturedLength(1))
            result += QLatin1String("\\fB") + escaped(m.captured(1)) + QLatin1String("\\fR");
        else if (m.capturedLength(2))
            result += QLatin1String("\\fB") + escaped(m.captured(2)) + QLatin1String("\\fR");
        else
            result += QLatin1String("\\fI") + escaped(m.captured(3)) + QLatin1String("\\fR");
        at = m.capturedEnd();
    }
    return result + escaped(text.mid(at));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() != 4) {
        QTextStream(stderr) << "usage: mdtoman INPUT.md OUTPUT VERSION\n";
        return 2;
    }
    QFile input(arguments.at(1));
    if (!input.open(QIODevice::ReadOnly | QIODevice::Text)) {
        QTextStream(stderr) << arguments.at(1) << ": " << input.errorString() << '\n';
        return 1;
    }
    const QStringList lines = QString::fromUtf8(input.readAll()).split(QLatin1Char('\n'));
    QStringList out;
    QString paragraph;
    bool inText = false; // in a paragraph or a list item
    const auto flush = [&] {
        if (!paragraph.isEmpty())
            out << lineStart(inlineMarkup(paragraph.trimmed()));
        paragraph.clear();
        inText = false;
    };
    int lineNumber = 0;
    const auto fail = [&](const QString &why) {
        QTextStream(stderr) << arguments.at(1) << ':' << lineNumber << ": " << why << '\n';
        return 1;
    };
    static const QRegularExpression title(QStringLiteral("^# ([a-z.]+)\\((\\d)\\)$"));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        lineNumber = int(i + 1);
        const QString &line = lines.at(i);
        if (line.startsWith(QLatin1String("```"))) {
            flush();
            out << QStringLiteral(".PP") << QStringLiteral(".RS 4") << QStringLiteral(".nf");
            for (++i; i < lines.size() && !lines.at(i).startsWith(QLatin1String("```")); ++i)
                out << lineStart(escaped(lines.at(i)));
            if (i == lines.size())
                return fail(QStringLiteral("a code block is not closed"));
            out << QStringLiteral(".fi") << QStringLiteral(".RE");
            continue;
        }
        if (line.trimmed().isEmpty()) {
            flush();
            continue;
        }
        if (line.startsWith(QLatin1String("# "))) {
            const QRegularExpressionMatch m = title.match(line);
            if (!m.hasMatch() || i != 0)
                return fail(QStringLiteral("the title must be the first line, as '# name(N)'"));
            out << QStringLiteral(".TH \"%1\" \"%2\" \"\" \"switchyard %3\" \"%4\"")
                       .arg(m.captured(1).toUpper(), m.captured(2), arguments.at(3),
                           m.captured(2) == QLatin1String("5") ? QStringLiteral("File Formats")
                                                               : QStringLiteral("User Commands"));
            continue;
        }
        // Indented text is a list item's continuation (two spaces) and nothing else: a nested
        // list or indented code would otherwise be run into the paragraph.
        const bool indented = line.startsWith(QLatin1Char(' '));
        const bool continuation = indented && inText && line.startsWith(QLatin1String("  "))
            && !line.startsWith(QLatin1String("    "));
        if ((indented && !continuation) || line.startsWith(QLatin1String("* "))
            || line.startsWith(QLatin1String("+ ")) || line.startsWith(QLatin1String("####"))
            || line.startsWith(QLatin1Char('|')) || line.startsWith(QLatin1Char('>'))
            || line.startsWith(QLatin1Char('<'))
            || line.contains(QRegularExpression(QStringLiteral("\\]\\(")))
            || line.contains(QRegularExpression(QStringLiteral("^\\d+\\. "))))
            return fail(QStringLiteral("outside the subset this converter knows: %1").arg(line));
        if (line.startsWith(QLatin1String("## "))) {
            flush();
            out << QStringLiteral(".SH \"%1\"")
                       .arg(escaped(line.mid(3).trimmed())
                                .replace(QLatin1Char('"'), QLatin1String("\\(dq")));
            continue;
        }
        if (line.startsWith(QLatin1String("### "))) {
            flush();
            out << QStringLiteral(".SS") << lineStart(inlineMarkup(line.mid(4).trimmed()));
            continue;
        }
        if (line.startsWith(QLatin1String("- "))) {
            flush();
            out << QStringLiteral(".IP \\(bu 2");
            paragraph = line.mid(2);
            inText = true;
            continue;
        }
        // A line of text continues the paragraph or item above it; after a blank line it starts
        // a paragraph (.PP also ends the indentation of a list).
        if (!inText)
            out << QStringLiteral(".PP");
        inText = true;
        paragraph += QLatin1Char(' ') + line.trimmed();
    }
    flush();
    QFile output(arguments.at(2));
    if (!output.open(QIODevice::WriteOnly | QIODevice::Text)) {
        QTextStream(stderr) << arguments.at(2) << ": " << output.errorString() << '\n';
        return 1;
    }
    output.write(out.join(QLatin1Char('\n')).toUtf8() + '\n');
    return 0;
}
