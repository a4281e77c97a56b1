#include "http/deferredflush.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Switchyard;

namespace {

// Bytes whose every position can be told from every other: a reordering or a loss shows.
QByteArray numbered(int from, int count)
{
    QByteArray bytes;
    for (int i = from; i < from + count; ++i)
        bytes += QByteArray::number(i).rightJustified(8, '0');
    return bytes;
}

} // namespace

// writeAfterThisEvent (issue 20): output goes to the kernel straight from the caller's bytes, at
// the end of the event; only what the kernel refuses is queued in the socket, in order; a graceful
// close sends what is pending first.
class SocketWritesTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void writesOfOneEventGoOutTogetherWithoutTheSocketsBuffer();
    void whatTheKernelRefusesIsQueuedInOrder();
    void aGracefulCloseSendsWhatIsPendingFirst();

private:
    QTcpServer m_server;
    std::unique_ptr<QTcpSocket> m_writer;
    QTcpSocket *m_reader = nullptr;
};

void SocketWritesTest::init()
{
    QVERIFY(m_server.listen(QHostAddress::LocalHost));
    m_writer = std::make_unique<QTcpSocket>();
    m_writer->connectToHost(QHostAddress::LocalHost, m_server.serverPort());
    QVERIFY(m_writer->waitForConnected(5000));
    QVERIFY(m_server.waitForNewConnection(5000));
    m_reader = m_server.nextPendingConnection();
    QVERIFY(m_reader);
}

void SocketWritesTest::cleanup()
{
    m_writer.reset();
    delete m_reader;
    m_reader = nullptr;
    m_server.close();
}

void SocketWritesTest::writesOfOneEventGoOutTogetherWithoutTheSocketsBuffer()
{
    QSignalSpy written(m_writer.get(), &QIODevice::bytesWritten);
    writeAfterThisEvent(m_writer.get(), "HTTP/1.1 200 OK\r\n\r\n");
    writeAfterThisEvent(m_writer.get(), "data: one\n\n");
    writeAfterThisEvent(m_writer.get(), "data: two\n\n");
    // Nothing before the event is over: a head and its first events are one send.
    QCOMPARE(m_writer->bytesToWrite(), 0);
    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT((received += m_reader->readAll()).size() >= 41, 5000);
    QCOMPARE(received, QByteArray("HTTP/1.1 200 OK\r\n\r\ndata: one\n\ndata: two\n\n"));
    // Sent by send(2) itself: the socket's own buffer (and its bytesWritten) never came into it.
    QCOMPARE(written.size(), 0);
    QCOMPARE(m_writer->bytesToWrite(), 0);
}

void SocketWritesTest::whatTheKernelRefusesIsQueuedInOrder()
{
    // The reader takes nothing while 16 MiB are written, 64 KiB at a time, over many events:
    // the kernel's buffers fill, and the rest waits in the socket.
    m_reader->setReadBufferSize(1);
    m_writer->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, 64 * 1024);
    constexpr int Pieces = 256;
    constexpr int PerPiece = 8 * 1024; // numbers of 8 bytes: 64 KiB
    for (int piece = 0; piece < Pieces; ++piece) {
        writeAfterThisEvent(m_writer.get(), numbered(piece * PerPiece, PerPiece));
        if (piece % 16 == 15)
            QCoreApplication::processEvents();
    }
    QCoreApplication::processEvents();
    QVERIFY2(m_writer->bytesToWrite() > 0, "the kernel took 16 MiB without the reader reading");
    m_reader->setReadBufferSize(0);
    QByteArray received;
    const qsizetype expected = qsizetype(Pieces) * PerPiece * 8;
    QTRY_VERIFY_WITH_TIMEOUT((received += m_reader->readAll()).size() >= expected, 20000);
    QCOMPARE(received.size(), expected);
    QVERIFY(received == numbered(0, Pieces * PerPiece));
}

void SocketWritesTest::aGracefulCloseSendsWhatIsPendingFirst()
{
    QSignalSpy gone(m_reader, &QAbstractSocket::disconnected);
    writeAfterThisEvent(m_writer.get(), numbered(0, 1000));
    writePendingNow(m_writer.get());
    m_writer->disconnectFromHost();
    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT((received += m_reader->readAll(), !gone.isEmpty()), 5000);
    received += m_reader->readAll();
    QCOMPARE(received, numbered(0, 1000));
}

QTEST_GUILESS_MAIN(SocketWritesTest)
#include "tst_socketwrites.moc"
