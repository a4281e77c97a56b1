#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

namespace Switchyard {

// One Redis reply as plain values (the reply's own memory stays with hiredis).
struct RedisValue {
    enum class Type { None, Text, Integer, Array, Nil, Error };
    Type type = Type::None; // None: no reply came (the connection was lost first)
    QByteArray text; // a string, a status or an error's message
    qint64 integer = 0;
    QList<RedisValue> items;

    bool ok() const { return type != Type::None && type != Type::Error; }
};

// A Redis client on this thread's event loop, over hiredis' asynchronous API: one connection for
// commands and one for the channels it listens to (a subscribed connection takes no other
// commands). It reconnects by itself, with a growing pause, and says when it is up or down.
// Nothing waits on it: a command is queued and answered later, or refused at once when Redis is
// not reachable or too far behind.
class RedisClient final : public QObject {
    Q_OBJECT
public:
    using Reply = std::function<void(const RedisValue &reply)>;

    explicit RedisClient(QObject *parent = nullptr);
    ~RedisClient() override;

    // Connects (and keeps reconnecting) to HOST:PORT, database `database`, listening to
    // `channels`.
    void open(const QString &host, quint16 port, int database, const QList<QByteArray> &channels);
    bool isConnected() const { return m_connected; }
    // Sends one command; false (and `reply` is never called) when Redis is down or more than a
    // thousand commands wait for answers. `reply` is called in this thread, unless this client is
    // destroyed first.
    bool command(const QList<QByteArray> &arguments, Reply reply = {});

Q_SIGNALS:
    void connectedChanged(bool connected, const QString &why);
    void messageReceived(const QByteArray &channel, const QByteArray &message);

private:
    struct Connection;
    void connectAll();
    void connectOne(Connection &connection);
    void onReady(Connection &connection);
    void onLost(Connection &connection, const QString &why);
    void dropAll(const QString &why);
    void checkAlive();
    void updateConnected(const QString &why);
    void onSubscribedMessage(const QByteArray &channel, const QByteArray &message);
    QByteArray pingMessage() const;

    QString m_host;
    QString m_address; // m_host, resolved
    bool m_resolving = false;
    quint16 m_port = 0;
    int m_database = 0;
    QList<QByteArray> m_channels;
    std::unique_ptr<Connection> m_commands;
    std::unique_ptr<Connection> m_subscriber;
    std::shared_ptr<bool> m_alive; // false once destroyed: late callbacks do nothing
    QByteArray m_nonce; // tells this client's pings from others'
    QElapsedTimer m_attempt; // since a connection attempt began, until it is ready
    int m_pingsPublished = 0;
    int m_pingsHeard = 0;
    QTimer m_reconnect;
    QTimer m_heartbeat;
    int m_pauseMs = 250;
    int m_pending = 0;
    bool m_pingOutstanding = false;
    bool m_connected = false;
    bool m_everReported = false;
};

} // namespace Switchyard
