#include "config/jsontextedit.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cctype>
#include <vector>

namespace Switchyard {

namespace {

// Where each value of the text lies: enough to replace a value, drop a member, or add one.
struct Node {
    enum class Type { Scalar, Object, Array };
    Type type = Type::Scalar;
    qsizetype begin = 0; // the value's first byte
    qsizetype end = 0; // one past its last
    std::vector<QString> keys; // an object's members, in the text's order
    std::vector<qsizetype> keyBegins; // where each member's key starts (its opening quote)
    std::vector<Node> children; // the members' values, or the array's elements
};

// A recursive-descent reader of text that QJsonDocument has already accepted: it only records
// where things are, and gives up (returns false) on anything it does not expect.
class SpanParser final {
public:
    explicit SpanParser(const QByteArray &text)
        : m_text(text)
    {
    }

    bool parse(Node *root)
    {
        if (m_text.startsWith("\xEF\xBB\xBF"))
            m_at = 3; // a byte order mark, which QJsonDocument skips too (and which stays)
        skipSpace();
        if (!value(root, 0))
            return false;
        skipSpace();
        return m_at == m_text.size();
    }

private:
    // Deeper than QJsonDocument reads; beyond it the caller rewrites the whole file.
    static constexpr int MaxDepth = 1024;

    bool atEnd() const { return m_at >= m_text.size(); }
    char peek() const { return atEnd() ? '\0' : m_text.at(m_at); }

    void skipSpace()
    {
        while (!atEnd()) {
            const char c = m_text.at(m_at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                return;
            ++m_at;
        }
    }

    bool string(QString *decoded)
    {
        const qsizetype begin = m_at;
        ++m_at; // the opening quote
        while (!atEnd() && m_text.at(m_at) != '"')
            m_at += m_text.at(m_at) == '\\' ? 2 : 1;
        if (atEnd())
            return false;
        ++m_at;
        if (decoded) {
            // The escapes are QJsonDocument's to decode, exactly as it did when it read the file.
            const QByteArray wrapped = '[' + m_text.mid(begin, m_at - begin) + ']';
            const QJsonArray array = QJsonDocument::fromJson(wrapped).array();
            if (array.size() != 1 || !array.at(0).isString())
                return false;
            *decoded = array.at(0).toString();
        }
        return true;
    }

    // The members of an object or the elements of an array, each read by `item`, up to `close`.
    template <typename Item> bool items(char close, Item item)
    {
        ++m_at; // the opening bracket
        skipSpace();
        if (peek() == close) {
            ++m_at;
            return true;
        }
        for (;;) {
            skipSpace();
            if (!item())
                return false;
            skipSpace();
            if (peek() == ',') {
                ++m_at;
                continue;
            }
            if (peek() != close)
                return false;
            ++m_at;
            return true;
        }
    }

    bool value(Node *node, int depth)
    {
        if (depth > MaxDepth || atEnd())
            return false;
        node->begin = m_at;
        const char c = peek();
        if (c == '{') {
            node->type = Node::Type::Object;
            const bool read = items('}', [&] {
                if (peek() != '"')
                    return false;
                node->keyBegins.push_back(m_at);
                QString key;
                if (!string(&key))
                    return false;
                node->keys.push_back(key);
                skipSpace();
                if (peek() != ':')
                    return false;
                ++m_at;
                skipSpace();
                node->children.emplace_back();
                return value(&node->children.back(), depth + 1);
            });
            if (!read)
                return false;
        } else if (c == '[') {
            node->type = Node::Type::Array;
            const bool read = items(']', [&] {
                node->children.emplace_back();
                return value(&node->children.back(), depth + 1);
            });
            if (!read)
                return false;
        } else if (c == '"') {
            if (!string(nullptr))
                return false;
        } else {
            // A number, true, false or null: QJsonDocument has checked its spelling already.
            while (!atEnd()) {
                const char d = m_text.at(m_at);
                if (!(std::isalnum(static_cast<unsigned char>(d)) || d == '-' || d == '+'
                        || d == '.'))
                    break;
                ++m_at;
            }
            if (m_at == node->begin)
                return false;
        }
        node->end = m_at;
        return true;
    }

    const QByteArray &m_text;
    qsizetype m_at = 0;
};

struct Edit {
    qsizetype begin = 0;
    qsizetype end = 0;
    QByteArray text;
};

class EditPlanner final {
public:
    explicit EditPlanner(const QByteArray &text)
        : m_text(text)
        , m_unit(indentUnit(text))
        , m_newline(text.contains("\r\n") ? QByteArrayLiteral("\r\n") : QByteArrayLiteral("\n"))
    {
    }

    std::vector<Edit> edits;

    void diff(const Node &node, const QJsonValue &before, const QJsonValue &after)
    {
        if (before == after)
            return;
        if (node.type == Node::Type::Object && before.isObject() && after.isObject())
            return diffObject(node, before.toObject(), after.toObject());
        if (node.type == Node::Type::Array && before.isArray() && after.isArray()) {
            const QJsonArray was = before.toArray();
            const QJsonArray is = after.toArray();
            if (was.size() == is.size() && qsizetype(node.children.size()) == was.size()) {
                for (qsizetype i = 0; i < was.size(); ++i)
                    diff(node.children[size_t(i)], was.at(i), is.at(i));
                return;
            }
        }
        replace(node, after);
    }

private:
    // The indentation one level adds: that of the file's first indented key, else four spaces.
    static QByteArray indentUnit(const QByteArray &text)
    {
        qsizetype line = text.indexOf('\n');
        while (line >= 0) {
            qsizetype at = line + 1;
            while (at < text.size() && (text.at(at) == ' ' || text.at(at) == '\t'))
                ++at;
            if (at > line + 1 && at < text.size() && text.at(at) == '"')
                return text.mid(line + 1, at - line - 1);
            line = text.indexOf('\n', at);
        }
        return QByteArrayLiteral("    ");
    }

    // The leading white space of the line `at` is on.
    QByteArray lineIndent(qsizetype at) const
    {
        const qsizetype start = m_text.lastIndexOf('\n', at - 1) + 1;
        qsizetype end = start;
        while (end < at && (m_text.at(end) == ' ' || m_text.at(end) == '\t'))
            ++end;
        return m_text.mid(start, end - start);
    }

    bool onOneLine(qsizetype begin, qsizetype end) const
    {
        return !m_text.mid(begin, end - begin).contains('\n');
    }

    static QByteArray scalar(const QJsonValue &value)
    {
        const QByteArray wrapped
            = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
        return wrapped.mid(1, wrapped.size() - 2);
    }

    static QByteArray key(const QString &name) { return scalar(QJsonValue(name)); }

    static bool holdsOnlyScalars(const QJsonArray &array)
    {
        return std::none_of(array.begin(), array.end(),
            [](const QJsonValue &v) { return v.isObject() || v.isArray(); });
    }

    // `value` as this file would spell it at a line indented by `indent`; `inlined` keeps an
    // object on one line, as a file that wrote it on one line did.
    QByteArray serialize(const QJsonValue &value, const QByteArray &indent, bool inlined) const
    {
        if (value.isObject()) {
            const QJsonObject object = value.toObject();
            if (object.isEmpty())
                return QByteArrayLiteral("{}");
            QByteArray out = "{";
            bool first = true;
            for (auto it = object.begin(); it != object.end(); ++it) {
                out += first ? "" : ",";
                first = false;
                out += inlined ? QByteArray(" ") : m_newline + indent + m_unit;
                out += key(it.key()) + ": " + serialize(it.value(), indent + m_unit, inlined);
            }
            out += inlined ? QByteArray(" }") : m_newline + indent + '}';
            return out;
        }
        if (value.isArray()) {
            const QJsonArray array = value.toArray();
            if (array.isEmpty())
                return QByteArrayLiteral("[]");
            // Lists of names (a chain, model patterns) read best on one line.
            const bool oneLine = inlined || holdsOnlyScalars(array);
            QByteArray out = "[";
            for (qsizetype i = 0; i < array.size(); ++i) {
                out += i == 0 ? "" : (oneLine ? ", " : ",");
                if (!oneLine)
                    out += m_newline + indent + m_unit;
                out += serialize(array.at(i), indent + m_unit, inlined);
            }
            out += oneLine ? QByteArray("]") : m_newline + indent + ']';
            return out;
        }
        return scalar(value);
    }

    void replace(const Node &node, const QJsonValue &value)
    {
        const bool wasOneLineObject = node.type == Node::Type::Object && !node.children.empty()
            && onOneLine(node.begin, node.end);
        edits.push_back(
            { node.begin, node.end, serialize(value, lineIndent(node.begin), wasOneLineObject) });
    }

    void diffObject(const Node &node, const QJsonObject &before, const QJsonObject &after)
    {
        const size_t count = node.keys.size();
        // A key written twice (files repeat "//" as a comment) counts by its last value, as
        // QJsonDocument read it; the earlier ones stay as written. Removing such a key needs the
        // whole object written anew.
        std::vector<bool> removed(count, false);
        std::vector<bool> shadowed(count, false);
        qsizetype lastKept = -1;
        for (size_t k = 0; k < count; ++k) {
            const QString &name = node.keys[k];
            shadowed[k] = std::find(node.keys.begin() + qsizetype(k) + 1, node.keys.end(), name)
                != node.keys.end();
            removed[k] = !after.contains(name);
            if (shadowed[k] && removed[k])
                return replace(node, after);
            if (!removed[k])
                lastKept = qsizetype(k);
        }
        if (lastKept < 0)
            return replace(node, after); // nothing of the text stays: write the object anew

        for (size_t k = 0; k < count; ++k) {
            if (shadowed[k])
                continue;
            if (!removed[k]) {
                diff(node.children[k], before.value(node.keys[k]), after.value(node.keys[k]));
            } else if (qsizetype(k) < lastKept) {
                // Up to the next key: the member, its comma and the space before the next one.
                edits.push_back({ node.keyBegins[k], node.keyBegins[k + 1], QByteArray() });
            }
        }

        // After the last member kept: the trailing members removed, the new ones added.
        const qsizetype tailBegin = node.children[size_t(lastKept)].end;
        const qsizetype tailEnd = node.children.back().end;
        const qsizetype firstKey = node.keyBegins.front();
        const bool inlined = onOneLine(node.begin, firstKey);
        const QByteArray indent = lineIndent(firstKey);
        QByteArray added;
        for (auto it = after.begin(); it != after.end(); ++it) {
            if (before.contains(it.key()))
                continue;
            added += inlined ? QByteArray(", ") : ',' + m_newline + indent;
            added += key(it.key()) + ": " + serialize(it.value(), indent, inlined);
        }
        if (tailEnd != tailBegin || !added.isEmpty())
            edits.push_back({ tailBegin, tailEnd, added });
    }

    const QByteArray &m_text;
    const QByteArray m_unit;
    const QByteArray m_newline; // a file written with CRLF gets CRLF in what is added
};

} // namespace

std::optional<QByteArray> JsonTextEdit::apply(const QByteArray &text, const QJsonObject &after)
{
    QJsonParseError error;
    const QJsonDocument read = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !read.isObject())
        return std::nullopt;
    const QJsonObject before = read.object();
    Node root;
    if (!SpanParser(text).parse(&root) || root.type != Node::Type::Object)
        return std::nullopt;

    EditPlanner planner(text);
    planner.diff(root, before, after);
    std::vector<Edit> &edits = planner.edits;
    std::sort(
        edits.begin(), edits.end(), [](const Edit &a, const Edit &b) { return a.begin > b.begin; });
    QByteArray edited = text;
    qsizetype limit = edited.size();
    for (const Edit &edit : edits) {
        if (edit.end > limit)
            return std::nullopt; // overlapping edits: a bug here, never a corrupted file
        edited.replace(edit.begin, edit.end - edit.begin, edit.text);
        limit = edit.begin;
    }
    const QJsonDocument check = QJsonDocument::fromJson(edited, &error);
    if (error.error != QJsonParseError::NoError || !check.isObject() || check.object() != after)
        return std::nullopt;
    return edited;
}

} // namespace Switchyard
