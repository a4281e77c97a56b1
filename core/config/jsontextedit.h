#pragma once

#include <QByteArray>
#include <QJsonObject>

#include <optional>

namespace Switchyard {

// Carries an edit of a JSON document over to the text it was read from, so that a file a person
// wrote stays theirs: only the values that changed are rewritten, in the file's own indentation;
// key order, number spelling ("3.00"), spacing and keys the schema does not know stay as they were.
//
// Written by hand because no library available on Debian (Qt's QJsonDocument, nlohmann-json,
// RapidJSON, jsoncpp) keeps a document's formatting through an edit: each rewrites the whole text.
namespace JsonTextEdit {

// `text` (a JSON object) edited so that it reads as `after`; nullopt when `text` is not a JSON
// object or the edit cannot be carried over (the caller then writes `after` whole). The result is
// checked: it always parses to exactly `after`.
std::optional<QByteArray> apply(const QByteArray &text, const QJsonObject &after);

} // namespace JsonTextEdit

} // namespace Switchyard
