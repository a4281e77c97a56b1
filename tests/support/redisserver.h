#pragma once

#include <QHostAddress>
#include <QProcess>
#include <QTcpServer>
#include <QTest>

#include <memory>

namespace Switchyard::Testing {

// A redis-server of its own on a free loopback port, no persistence, stopped with the test.
class RedisServer final {
public:
    bool start(quint16 port = 0)
    {
        if (port == 0) {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 0))
                return false;
            port = probe.serverPort();
        }
        m_port = port;
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_process->start(QStringLiteral("redis-server"),
            { QStringLiteral("--port"), QString::number(port), QStringLiteral("--bind"),
                QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
                QStringLiteral("--appendonly"), QStringLiteral("no"),
                QStringLiteral("--protected-mode"), QStringLiteral("yes") });
        if (!m_process->waitForStarted(10000))
            return false;
        QByteArray seen;
        const bool ready = QTest::qWaitFor(
            [&] {
                seen += m_process->readAll();
                return seen.contains("Ready to accept connections")
                    || m_process->state() == QProcess::NotRunning;
            },
            10000);
        if (!ready || m_process->state() == QProcess::NotRunning) {
            qWarning("redis-server said: %s", seen.constData());
            return false;
        }
        return true;
    }
    void kill()
    {
        if (!m_process)
            return;
        m_process->kill(); // as a crash would: no goodbye to the clients
        m_process->waitForFinished(10000);
        m_process.reset();
    }
    ~RedisServer() { kill(); }
    quint16 port() const { return m_port; }

private:
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
};

} // namespace Switchyard::Testing
