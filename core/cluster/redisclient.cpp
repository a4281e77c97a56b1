#include "cluster/redisclient.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <QHostAddress>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QUuid>

Q_LOGGING_CATEGORY(lcRedis, "switchyard.cluster", QtInfoMsg)

namespace Switchyard {

namespace {

constexpr int FirstPauseMs = 250;
constexpr int MostPauseMs = 5000;
// A ping unanswered for this long means Redis hangs (stopped, or a dead link no error reports).
constexpr int HeartbeatMs = 2000;
constexpr int MaxPending = 1000;
// From the first connect of an attempt until both connections are ready.
constexpr qint64 ConnectDeadlineMs = 5000;

RedisValue valueOf(const redisReply *reply)
{
    RedisValue value;
    if (!reply)
        return value;
    switch (reply->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
        value.type = RedisValue::Type::Text;
        value.text = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_ERROR:
        value.type = RedisValue::Type::Error;
        value.text = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_INTEGER:
        value.type = RedisValue::Type::Integer;
        value.integer = reply->integer;
        break;
    case REDIS_REPLY_NIL:
        value.type = RedisValue::Type::Nil;
        break;
    case REDIS_REPLY_ARRAY:
        value.type = RedisValue::Type::Array;
        for (size_t i = 0; i < reply->elements; ++i)
            value.items.append(valueOf(reply->element[i]));
        break;
    default:
        value.type = RedisValue::Type::Error;
        value.text = "unknown reply type";
    }
    return value;
}

struct PendingReply {
    std::weak_ptr<bool> alive;
    int *pending = nullptr;
    RedisClient::Reply reply;
};

void onCommandReply(redisAsyncContext *, void *reply, void *privdata)
{
    std::unique_ptr<PendingReply> pending(static_cast<PendingReply *>(privdata));
    const std::shared_ptr<bool> alive = pending->alive.lock();
    if (!alive || !*alive)
        return;
    --*pending->pending;
    if (pending->reply)
        pending->reply(valueOf(static_cast<redisReply *>(reply)));
}

} // namespace

// hiredis' own Qt adapter (hiredis/adapters/qt.h) is not used: in the hiredis of Debian 12 its
// destructor writes into the context even after hiredis has freed it (which hiredis does by
// itself when the server goes away), and its notifiers are deleted inside their own signal.
// These hooks do the same job — a read and a write notifier per connection — within those rules.
struct RedisClient::Connection {
    RedisClient *owner = nullptr;
    bool subscriber = false;
    redisAsyncContext *context = nullptr;
    QSocketNotifier *reader = nullptr;
    QSocketNotifier *writer = nullptr;
    bool ready = false;

    static Connection *of(void *privdata) { return static_cast<Connection *>(privdata); }

    QSocketNotifier *notifier(QSocketNotifier::Type type)
    {
        auto *made = new QSocketNotifier(context->c.fd, type, owner);
        QObject::connect(made, &QSocketNotifier::activated, owner, [this, type] {
            if (!context)
                return;
            if (type == QSocketNotifier::Read)
                redisAsyncHandleRead(context);
            else
                redisAsyncHandleWrite(context);
        });
        return made;
    }

    static void addRead(void *privdata)
    {
        Connection *c = of(privdata);
        if (!c->reader)
            c->reader = c->notifier(QSocketNotifier::Read);
        c->reader->setEnabled(true);
    }
    static void delRead(void *privdata)
    {
        if (Connection *c = of(privdata); c->reader)
            c->reader->setEnabled(false);
    }
    static void addWrite(void *privdata)
    {
        Connection *c = of(privdata);
        if (!c->writer)
            c->writer = c->notifier(QSocketNotifier::Write);
        c->writer->setEnabled(true);
    }
    static void delWrite(void *privdata)
    {
        if (Connection *c = of(privdata); c->writer)
            c->writer->setEnabled(false);
    }
    // Called by hiredis just before it frees the context; maybe from inside a notifier's signal.
    static void cleanup(void *privdata)
    {
        Connection *c = of(privdata);
        for (QSocketNotifier **notifier : { &c->reader, &c->writer }) {
            if (*notifier) {
                (*notifier)->setEnabled(false);
                (*notifier)->deleteLater();
                *notifier = nullptr;
            }
        }
    }

    static void onConnected(const redisAsyncContext *context, int status)
    {
        Connection *c = of(context->data);
        if (!c)
            return;
        if (status != REDIS_OK) {
            const QString why = QString::fromLocal8Bit(context->errstr);
            c->context = nullptr; // hiredis frees it after this
            c->owner->onLost(*c, why);
            return;
        }
        c->owner->onReady(*c);
    }

    static void onDisconnected(const redisAsyncContext *context, int status)
    {
        Connection *c = of(context->data);
        if (!c)
            return;
        const QString why = status == REDIS_OK ? QStringLiteral("Redis closed the connection")
                                               : QString::fromLocal8Bit(context->errstr);
        c->context = nullptr;
        c->owner->onLost(*c, why);
    }

    static void onMessage(redisAsyncContext *, void *reply, void *privdata)
    {
        Connection *c = of(privdata);
        const RedisValue value = valueOf(static_cast<redisReply *>(reply));
        if (!c || value.type != RedisValue::Type::Array || value.items.size() != 3)
            return;
        if (value.items.at(0).text == "message")
            c->owner->onSubscribedMessage(value.items.at(1).text, value.items.at(2).text);
    }

    // Frees the context now, without our callbacks (the caller says what happened).
    void close()
    {
        ready = false;
        if (!context)
            return;
        redisAsyncContext *closing = std::exchange(context, nullptr);
        closing->data = nullptr;
        redisAsyncFree(closing);
    }
};

RedisClient::RedisClient(QObject *parent)
    : QObject(parent)
    , m_commands(std::make_unique<Connection>())
    , m_subscriber(std::make_unique<Connection>())
    , m_alive(std::make_shared<bool>(true))
    , m_nonce(QUuid::createUuid().toByteArray(QUuid::Id128))
    , m_reconnect(this)
    , m_heartbeat(this)
{
    m_commands->owner = this;
    m_subscriber->owner = this;
    m_subscriber->subscriber = true;
    m_reconnect.setSingleShot(true);
    connect(&m_reconnect, &QTimer::timeout, this, &RedisClient::connectAll);
    m_heartbeat.setInterval(HeartbeatMs);
    connect(&m_heartbeat, &QTimer::timeout, this, &RedisClient::checkAlive);
}

RedisClient::~RedisClient()
{
    *m_alive = false;
    m_commands->close();
    m_subscriber->close();
}

void RedisClient::open(
    const QString &host, quint16 port, int database, const QList<QByteArray> &channels)
{
    m_host = host;
    m_port = port;
    m_database = database;
    m_channels = channels;
    m_heartbeat.start();
    connectAll();
}

void RedisClient::connectAll()
{
    // hiredis resolves a host name itself, blocking; the engine's thread must not wait on DNS.
    if (QHostAddress(m_host).isNull()) {
        if (m_resolving)
            return;
        m_resolving = true;
        QHostInfo::lookupHost(m_host, this, [this](const QHostInfo &info) {
            m_resolving = false;
            if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
                onLost(*m_commands,
                    QStringLiteral("cannot resolve %1: %2").arg(m_host, info.errorString()));
                return;
            }
            m_address = info.addresses().constFirst().toString();
            connectOne(*m_commands);
            connectOne(*m_subscriber);
        });
        return;
    }
    m_address = m_host;
    connectOne(*m_commands);
    connectOne(*m_subscriber);
}

void RedisClient::connectOne(Connection &connection)
{
    if (connection.context)
        return;
    redisAsyncContext *context = redisAsyncConnect(m_address.toLatin1().constData(), m_port);
    if (!context || context->err) {
        const QString why = context ? QString::fromLocal8Bit(context->errstr)
                                    : QStringLiteral("cannot make a Redis connection");
        if (context)
            redisAsyncFree(context);
        onLost(connection, why);
        return;
    }
    connection.context = context;
    redisEnableKeepAlive(&context->c); // a link that dies without a word is noticed
    if (!m_attempt.isValid())
        m_attempt.start();
    context->data = &connection;
    context->ev.data = &connection;
    context->ev.addRead = &Connection::addRead;
    context->ev.delRead = &Connection::delRead;
    context->ev.addWrite = &Connection::addWrite;
    context->ev.delWrite = &Connection::delWrite;
    context->ev.cleanup = &Connection::cleanup;
    redisAsyncSetConnectCallback(context, &Connection::onConnected);
    redisAsyncSetDisconnectCallback(context, &Connection::onDisconnected);
}

void RedisClient::onReady(Connection &connection)
{
    const QByteArray database = QByteArray::number(m_database);
    const char *select[] = { "SELECT", database.constData() };
    const size_t selectLengths[] = { 6, size_t(database.size()) };
    auto *pending = new PendingReply { m_alive, &m_pending,
        [this, &connection](const RedisValue &reply) {
            if (!reply.ok()) {
                // Not from inside hiredis' own callback: the context is freed in onLost.
                const QString why = QStringLiteral("SELECT %1: %2")
                                        .arg(m_database)
                                        .arg(QString::fromUtf8(reply.text));
                QMetaObject::invokeMethod(
                    this, [this, &connection, why] { onLost(connection, why); },
                    Qt::QueuedConnection);
                return;
            }
            if (connection.subscriber && connection.context && !m_channels.isEmpty()) {
                std::vector<const char *> arguments { "SUBSCRIBE" };
                std::vector<size_t> lengths { 9 };
                for (const QByteArray &channel : std::as_const(m_channels)) {
                    arguments.push_back(channel.constData());
                    lengths.push_back(size_t(channel.size()));
                }
                redisAsyncCommandArgv(connection.context, &Connection::onMessage, &connection,
                    int(arguments.size()), arguments.data(), lengths.data());
            }
            connection.ready = true;
            m_pauseMs = FirstPauseMs;
            updateConnected(QString());
        } };
    ++m_pending;
    redisAsyncCommandArgv(connection.context, &onCommandReply, pending, 2, select, selectLengths);
}

void RedisClient::onLost(Connection &connection, const QString &why)
{
    connection.ready = false;
    // Both together: the client is up only when both are.
    m_commands->close();
    m_subscriber->close();
    m_pingOutstanding = false;
    m_attempt.invalidate();
    updateConnected(why);
    if (!m_reconnect.isActive()) {
        m_reconnect.start(m_pauseMs);
        m_pauseMs = qMin(m_pauseMs * 2, MostPauseMs);
    }
}

void RedisClient::checkAlive()
{
    if (!m_connected) {
        // A Redis that takes the connection but never answers (stopped, wedged) is down too.
        if (m_attempt.isValid() && m_attempt.elapsed() > ConnectDeadlineMs)
            onLost(*m_commands, QStringLiteral("Redis does not answer"));
        return;
    }
    if (m_pingOutstanding) {
        onLost(*m_commands, QStringLiteral("Redis stopped answering"));
        return;
    }
    // The listening connection is idle most of the time; a ping of our own on the first channel
    // shows it still delivers. Two in a row unheard: it does not.
    if (!m_channels.isEmpty()) {
        if (m_pingsPublished - m_pingsHeard >= 2) {
            onLost(*m_subscriber, QStringLiteral("Redis no longer delivers the fleet's messages"));
            return;
        }
        ++m_pingsPublished;
        command({ QByteArrayLiteral("PUBLISH"), m_channels.first(), pingMessage() });
    }
    m_pingOutstanding = true;
    command(
        { QByteArrayLiteral("PING") }, [this](const RedisValue &) { m_pingOutstanding = false; });
}

QByteArray RedisClient::pingMessage() const
{
    return "\x01ping " + m_nonce;
}

void RedisClient::onSubscribedMessage(const QByteArray &channel, const QByteArray &message)
{
    if (message == pingMessage()) {
        m_pingsHeard = m_pingsPublished;
        return;
    }
    if (message.startsWith("\x01ping "))
        return; // another instance's
    Q_EMIT messageReceived(channel, message);
}

void RedisClient::updateConnected(const QString &why)
{
    const bool connected = m_commands->ready && m_subscriber->ready;
    if (connected) {
        m_attempt.invalidate();
        m_pingsPublished = m_pingsHeard = 0;
    }
    // One of the two ready, the other on its way, is not news; a failure is, even the first.
    if (connected == m_connected && (connected || m_everReported || why.isEmpty()))
        return;
    if (!connected && !why.isEmpty())
        qCWarning(lcRedis).noquote()
            << QStringLiteral("Redis %1:%2: %3").arg(m_host).arg(m_port).arg(why);
    else if (connected)
        qCInfo(lcRedis).noquote()
            << QStringLiteral("Redis %1:%2 connected").arg(m_host).arg(m_port);
    m_connected = connected;
    m_everReported = true;
    Q_EMIT connectedChanged(connected, why);
}

bool RedisClient::command(const QList<QByteArray> &arguments, Reply reply)
{
    if (!m_commands->ready || !m_commands->context || m_pending >= MaxPending
        || arguments.isEmpty())
        return false;
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    for (const QByteArray &argument : arguments) {
        argv.push_back(argument.constData());
        lengths.push_back(size_t(argument.size()));
    }
    auto *pending = new PendingReply { m_alive, &m_pending, std::move(reply) };
    if (redisAsyncCommandArgv(m_commands->context, &onCommandReply, pending, int(argv.size()),
            argv.data(), lengths.data())
        != REDIS_OK) {
        delete pending;
        return false;
    }
    ++m_pending;
    return true;
}

} // namespace Switchyard
