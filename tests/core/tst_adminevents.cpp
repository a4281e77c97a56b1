#include "http/clientresponse.h"
#include "proxy/adminevents.h"
#include "stubgatewaycontrol.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Switchyard;
using namespace Switchyard::Testing;

namespace {

// A gateway whose history is taken and answered when the test says: as from an I/O thread, where
// the engine takes it a while after the subscription.
class HeldHistoryControl final : public StubGatewayControl {
public:
    std::function<void()> taken;
    std::function<void(const History &)> done;
    // Whether the stream said it is listened to when its history was asked for.
    const AdminEvents *events = nullptr;
    bool listenedToWhenAsked = false;

    void readHistory(std::function<void()> whenTaken,
        std::function<void(const History &history)> whenRead) override
    {
        taken = std::move(whenTaken);
        done = std::move(whenRead);
        listenedToWhenAsked = events && events->isListenedTo();
    }
};

TraceRecord traceCosting(const QString &id, double usd)
{
    TraceRecord trace;
    trace.id = id;
    trace.lane = QStringLiteral("main");
    trace.route = QStringLiteral("ra");
    trace.status = 200;
    trace.costUsd = usd;
    return trace;
}

CostPoint spendOf(const TraceRecord &trace)
{
    CostPoint point;
    point.minuteUtcMs = 60000;
    point.lane = trace.lane;
    point.route = trace.route;
    point.costUsd = trace.costUsd;
    point.requests = 1;
    return point;
}

// The SSE events' data of one name, in order.
QList<QJsonObject> eventsNamed(const QByteArray &stream, const QByteArray &name)
{
    QList<QJsonObject> found;
    const QList<QByteArray> lines = stream.split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        if (lines.at(i) == "event: " + name && lines.at(i + 1).startsWith("data: "))
            found.append(QJsonDocument::fromJson(lines.at(i + 1).mid(6)).object());
    }
    return found;
}

} // namespace

// The console's event stream (/admin/events?view=console): what was published while its history
// was read follows the history once, and what the history already holds is not sent again — also
// when the history is taken a while after the subscription, as on a gateway's I/O thread.
class AdminEventsTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void whatTheHistoryHoldsIsNotSentAgain();
    void itSaysWhetherAnyoneListens();
};

void AdminEventsTest::whatTheHistoryHoldsIsNotSentAgain()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QVERIFY(server.waitForNewConnection(5000));
    QTcpSocket *served = server.nextPendingConnection();
    QVERIFY(served);

    HeldHistoryControl control;
    AdminEvents events(control, nullptr);
    events.subscribe(ClientResponse(served, false), true);
    QVERIFY(control.taken && control.done);

    // Finished after the subscription, before the history was taken: the history has it.
    const TraceRecord before = traceCosting(QStringLiteral("req_before"), 0.5);
    events.publishTrace(before, { spendOf(before) });
    control.taken();
    // Finished after the history was taken: news.
    const TraceRecord after = traceCosting(QStringLiteral("req_after"), 0.25);
    events.publishTrace(after, { spendOf(after) });

    GatewayControl::History history;
    history.traces = { before };
    history.cost = { spendOf(before) };
    control.done(history);

    QByteArray stream;
    // Its summary at once, the whole trace with the next batch.
    QTRY_VERIFY((stream += client.readAll()).count("req_after") >= 2);
    QCOMPARE(eventsNamed(stream, "history").size(), 1);
    double newsUsd = 0;
    QStringList newsIds;
    for (const QJsonObject &news : eventsNamed(stream, "traces")) {
        for (const QJsonValue &trace : news.value(u"traces").toArray())
            newsIds.append(trace.toObject().value(u"id").toString());
        for (const QJsonValue &cost : news.value(u"cost").toArray())
            newsUsd += cost.toObject().value(u"cost_usd").toDouble();
    }
    QCOMPARE(newsIds, QStringList { QStringLiteral("req_after") });
    QCOMPARE(newsUsd, 0.25);
    QStringList summaries;
    for (const QJsonObject &summary : eventsNamed(stream, "trace"))
        summaries.append(summary.value(u"id").toString());
    QCOMPARE(summaries, QStringList { QStringLiteral("req_after") });
}

// The engine sends an I/O thread's stream a finished trace only while someone listens there. A
// console's subscription says so before it asks for its history, so that a trace the engine did
// not send is in that history.
void AdminEventsTest::itSaysWhetherAnyoneListens()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    auto client = std::make_unique<QTcpSocket>();
    client->connectToHost(QHostAddress::LocalHost, server.serverPort());
    QVERIFY(server.waitForNewConnection(5000));
    QTcpSocket *served = server.nextPendingConnection();
    QVERIFY(served);

    HeldHistoryControl control;
    AdminEvents events(control, nullptr);
    control.events = &events;
    QVERIFY(!events.isListenedTo());
    events.subscribe(ClientResponse(served, false), true);
    QVERIFY(control.listenedToWhenAsked);
    QVERIFY(events.isListenedTo());

    client.reset(); // the console goes
    QTRY_VERIFY(served->state() != QAbstractSocket::ConnectedState);
    const TraceRecord trace = traceCosting(QStringLiteral("req_unheard"), 0.1);
    events.publishTrace(trace, { spendOf(trace) });
    QVERIFY(!events.isListenedTo());
}

QTEST_GUILESS_MAIN(AdminEventsTest)
#include "tst_adminevents.moc"
