#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

namespace Switchyard {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// One request as a client sent it, read whole by the listener (within its limits).
struct HttpRequest {
    QByteArray method; // "GET", "POST", ... as sent
    QUrl url; // path and query
    HeaderList headers; // names as sent, in order
    QByteArray body;
    int versionMinor = 1; // HTTP/1.x
    QString localAddress; // the address the client connected to

    // The first value of a header, matched without case; empty when absent.
    QByteArray value(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return QByteArray();
    }
    bool hasHeader(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    }
};

} // namespace Switchyard
