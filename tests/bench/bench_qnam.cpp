// QNetworkAccessManager alone, for scale (issue 9): sequential POSTs of a chat completion to URL
// for SECONDS, one at a time, as the gateway did before it had its own HTTP/1.1 client.
// Prints "p50_ms p99_ms requests". Usage: bench_qnam URL SECONDS
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTextStream>

#include <algorithm>
#include <vector>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = app.arguments();
    if (arguments.size() != 3) {
        QTextStream(stderr) << "usage: bench_qnam URL SECONDS\n";
        return 2;
    }
    const QUrl url(arguments.at(1));
    const qint64 durationNs = qint64(arguments.at(2).toDouble() * 1e9);
    const QByteArray body
        = R"({"model":"main","messages":[{"role":"user","content":"Say hello"}]})";
    QNetworkAccessManager manager;
    std::vector<qint64> latencies;
    QElapsedTimer total;
    QElapsedTimer one;
    const auto send = [&](auto &&self) -> void {
        QNetworkRequest request(url);
        request.setHeader(
            QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        one.start();
        QNetworkReply *reply = manager.post(request, body);
        QObject::connect(reply, &QNetworkReply::finished, &app, [&, reply, self] {
            reply->readAll();
            reply->deleteLater();
            latencies.push_back(one.nsecsElapsed());
            if (total.nsecsElapsed() < durationNs)
                self(self);
            else
                QCoreApplication::quit();
        });
    };
    total.start();
    send(send);
    app.exec();
    std::sort(latencies.begin(), latencies.end());
    const auto at = [&latencies](double fraction) {
        return double(latencies[std::min(
                   latencies.size() - 1, size_t(fraction * double(latencies.size())))])
            / 1e6;
    };
    QTextStream(stdout) << QString::number(at(0.5), 'f', 3) << ' '
                        << QString::number(at(0.99), 'f', 3) << ' ' << latencies.size() << '\n';
    return 0;
}
