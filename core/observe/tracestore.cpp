#include "observe/tracestore.h"

#include <limits>

#include "observe/tracedatabase.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>

namespace Switchyard {

TraceStore::TraceStore(QObject *parent)
    : QObject(parent)
{
    m_writerThread.setObjectName(QStringLiteral("switchyard-traces"));
    m_readerThread.setObjectName(QStringLiteral("switchyard-trace-reads"));
}

TraceStore::~TraceStore()
{
    // The reader first: after this nothing posts answers to a store on its way out.
    if (m_reader) {
        m_readerThread.quit();
        m_readerThread.wait();
    }
    if (m_writer) {
        flush();
        m_writerThread.quit();
        m_writerThread.wait();
    }
}

bool TraceStore::migrate(const QString &connectionName, QString *error)
{
    return TraceDatabase::migrate(connectionName, error);
}

QString TraceStore::fileNameFor(const QString &configPath)
{
    if (configPath.isEmpty())
        return QStringLiteral("demo.sqlite");
    const QFileInfo file(configPath);
    const QString canonical = file.canonicalFilePath();
    const QString identity = canonical.isEmpty() ? file.absoluteFilePath() : canonical;
    const QByteArray hash
        = QCryptographicHash::hash(identity.toUtf8(), QCryptographicHash::Sha256).toHex().left(8);
    // The name only helps a person find the file: anything but letters, digits, '-' and '_' goes.
    QString stem = file.completeBaseName().left(40);
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9_-]"));
    stem.replace(unsafe, QStringLiteral("_"));
    return QStringLiteral("%1-%2.sqlite").arg(stem, QString::fromLatin1(hash));
}

void TraceStore::adoptSharedJournal(const QString &dataDirectory, const QString &fileName)
{
    const QDir data(dataDirectory);
    const QString shared = data.filePath(QStringLiteral("traces.sqlite"));
    const QString own = data.filePath(QStringLiteral("traces/") + fileName);
    if (!QFile::exists(shared) || QFile::exists(own) || !data.mkpath(QStringLiteral("traces")))
        return;
    for (const QString &suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") }) {
        if (QFile::exists(shared + suffix))
            QFile::rename(shared + suffix, own + suffix);
    }
}

bool TraceStore::open(const QString &directory, QString *error, const QString &fileName)
{
    if (!QDir().mkpath(directory)) {
        *error = QStringLiteral("cannot create %1").arg(directory);
        return false;
    }
    // What callers asked and what they were answered is theirs alone: the folder is its owner's,
    // and so is the database (SQLite gives its -wal and -shm files the database's mode).
    QFile::setPermissions(
        directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QString path = QDir(directory).filePath(fileName);
    m_recentCompleteAfterMs = qMax(m_recentCompleteAfterMs, QDateTime::currentMSecsSinceEpoch());
    {
        QFile database(path);
        if (!database.exists() && database.open(QIODevice::WriteOnly))
            database.close();
        for (const QString &file :
            QStringList { path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm") }) {
            if (QFile::exists(file))
                QFile::setPermissions(file, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        }
    }
    // Created or migrated before either thread opens it.
    const QString name = TraceDatabase::connectionName(QStringLiteral("setup"));
    const bool ready
        = TraceDatabase::openConnection(name, path, error) && TraceDatabase::migrate(name, error);
    TraceDatabase::closeConnection(name);
    if (!ready)
        return false;
    m_writer = new TraceWriter(path);
    m_writer->moveToThread(&m_writerThread);
    connect(m_writer, &TraceWriter::writeFailed, this, &TraceStore::writeFailed);
    connect(m_writer, &TraceWriter::writeRecovered, this, &TraceStore::writeRecovered);
    connect(&m_writerThread, &QThread::finished, m_writer, &QObject::deleteLater);
    m_writerThread.start();
    QMetaObject::invokeMethod(m_writer, &TraceWriter::start, Qt::BlockingQueuedConnection);
    if (m_retention)
        m_writer->setRetention(*m_retention);
    if (!m_writer->isOpen()) {
        // Nothing would ever be written: keep traces in memory only, and say so.
        m_writerThread.quit();
        m_writerThread.wait();
        m_writer = nullptr;
        *error = QStringLiteral("the trace writer cannot open %1").arg(path);
        return false;
    }
    m_reader = new TraceReader(path);
    m_reader->moveToThread(&m_readerThread);
    connect(&m_readerThread, &QThread::finished, m_reader, &QObject::deleteLater);
    m_readerThread.start();
    bool readerOpen = false;
    QMetaObject::invokeMethod(
        m_reader, [this, error, &readerOpen] { readerOpen = m_reader->open(error); },
        Qt::BlockingQueuedConnection);
    if (!readerOpen) {
        // Without reads the history (and today's spend against the caps) would come back empty
        // unannounced: the store runs in memory only, and says so.
        m_readerThread.quit();
        m_readerThread.wait();
        m_reader = nullptr;
        m_writerThread.quit();
        m_writerThread.wait();
        m_writer = nullptr;
        *error = QStringLiteral("the trace reader cannot open %1: %2").arg(path, *error);
        return false;
    }
    return true;
}

void TraceStore::setRetention(const TraceRetention &retention)
{
    m_retention = retention;
    if (m_writer)
        m_writer->setRetention(retention);
}

void TraceStore::deleteWhenIdle()
{
    m_retiring = true;
    if (m_readsOut == 0)
        deleteLater();
}

bool TraceStore::sampled(const QString &id, double ratio)
{
    if (ratio >= 1.0)
        return true;
    if (ratio <= 0.0)
        return false;
    // Decided by the id, not by chance: a request is decided alike however often it is asked
    // (Qt's hash with a fixed seed; not promised stable across Qt versions, and need not be).
    constexpr size_t Steps = 1000000;
    return double(qHash(id, 0) % Steps) < ratio * double(Steps);
}

void TraceStore::append(const TraceRecord &trace, const QList<CostPoint> &spend)
{
    m_recent.push_back(trace);
    if (m_recent.size() > RecentKept) {
        m_recentCompleteAfterMs = qMax(m_recentCompleteAfterMs, m_recent.front().startedAtUtcMs);
        m_recent.pop_front();
    }
    if (!m_writer)
        return;
    // A plain success not sampled is not written; what it cost is, always. One that is stands
    // for those left out with it, so that an incident report over the store can count them.
    const double ratio = successSampleRatio();
    const bool plain = trace.isPlainSuccess();
    const bool written = !plain || sampled(trace.id, ratio);
    bool queued = false;
    if (!written) {
        queued = m_writer->enqueueSpend(spend);
    } else if (plain && ratio < 1.0) {
        TraceRecord sample = trace;
        sample.sampleWeight = qMin(1.0 / ratio, TraceRecord::MaxSampleWeight);
        queued = m_writer->enqueue(sample, spend);
    } else {
        queued = m_writer->enqueue(trace, spend);
    }
    if (!queued)
        Q_EMIT writeFailed(written ? 1 : 0, spend.size(),
            QStringLiteral("the trace writer is %1 traces behind").arg(MaxQueuedTraces));
}

void TraceStore::appendEvent(const StateEvent &event)
{
    if (m_writer)
        m_writer->enqueueEvent(event);
}

void TraceStore::flush()
{
    if (m_writer)
        QMetaObject::invokeMethod(m_writer, &TraceWriter::write, Qt::BlockingQueuedConnection);
}

template <typename Result>
void TraceStore::read(
    std::function<Result(const TraceReader &)> work, std::function<void(Result)> done)
{
    if (!m_reader) { // memory only: nothing more to find, but still answered later, as always
        QMetaObject::invokeMethod(
            this, [done = std::move(done)] { done(Result {}); }, Qt::QueuedConnection);
        return;
    }
    // `done` is moved on, never copied: what it holds (a caller's answer, say) must end its life
    // in this thread, not the reader's.
    ++m_readsOut;
    QMetaObject::invokeMethod(
        m_reader,
        [this, reader = m_reader, work = std::move(work), done = std::move(done)]() mutable {
            Result result = work(*reader);
            QMetaObject::invokeMethod(
                this,
                [this, done = std::move(done), result = std::move(result)] {
                    done(result);
                    if (--m_readsOut == 0 && m_retiring)
                        deleteLater();
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void TraceStore::query(const TraceQuery &filter, TracesRead done)
{
    auto matches = [&](const TraceRecord &trace) {
        return (filter.lane.isEmpty() || trace.lane == filter.lane)
            && (filter.route.isEmpty() || trace.route == filter.route)
            && (filter.failureClass.isEmpty()
                || failureClassName(trace.finalClass) == filter.failureClass);
    };
    QList<TraceRecord> recent;
    QSet<QString> seen;
    for (auto it = m_recent.crbegin(); it != m_recent.crend() && recent.size() < filter.limit;
         ++it) {
        if (matches(*it)) {
            recent.append(*it);
            seen.insert(it->id);
        }
    }
    TraceQuery older = filter;
    older.limit = filter.limit - int(recent.size());
    read<QList<TraceRecord>>(
        [older, seen](const TraceReader &reader) { return reader.query(older, seen); },
        [recent, done = std::move(done)](QList<TraceRecord> stored) { done(recent + stored); });
}

void TraceStore::find(const QString &id, TraceFound done)
{
    for (auto it = m_recent.crbegin(); it != m_recent.crend(); ++it) {
        if (it->id == id) {
            QMetaObject::invokeMethod(
                this, [done = std::move(done), trace = *it] { done(trace); }, Qt::QueuedConnection);
            return;
        }
    }
    read<std::optional<TraceRecord>>(
        [id](const TraceReader &reader) { return reader.find(id); }, std::move(done));
}

void TraceStore::readHistory(int events, qint64 spendSinceUtcMs, HistoryRead done)
{
    using History = std::pair<QList<StateEvent>, QList<CostPoint>>;
    read<History>(
        [events, spendSinceUtcMs](const TraceReader &reader) {
            return History { reader.recentEvents(events), reader.spendSince(spendSinceUtcMs) };
        },
        [done = std::move(done)](const History &history) { done(history.first, history.second); });
}

void TraceStore::readIncident(qint64 fromMs, qint64 toMs, const Config &config,
    const QList<StateEvent> &recentEvents, IncidentRead done)
{
    QList<TraceRecord> recent;
    QSet<QString> inMemory;
    for (const TraceRecord &trace : m_recent) {
        if (trace.startedAtUtcMs >= fromMs && trace.startedAtUtcMs <= toMs) {
            recent.append(trace);
            inMemory.insert(trace.id);
        }
    }
    std::stable_sort(recent.begin(), recent.end(), [](const TraceRecord &a, const TraceRecord &b) {
        return a.startedAtUtcMs < b.startedAtUtcMs;
    });
    // Events before the journal's oldest come from the database, the rest from the journal.
    // (The oldest of them by time: events of other instances' clocks may come out of order.)
    qint64 eventsBeforeMs = std::numeric_limits<qint64>::max();
    for (const StateEvent &event : recentEvents)
        eventsBeforeMs = qMin(eventsBeforeMs, event.time.toMSecsSinceEpoch());
    // Memory holds every recent request, written or not; the rest of the range is the store's,
    // which holds a sample of the successes while the ratio is below 1.
    const bool storeSampled
        = m_writer && successSampleRatio() < 1.0 && fromMs <= m_recentCompleteAfterMs;
    auto build = [fromMs, toMs, config, recent, inMemory, recentEvents, eventsBeforeMs,
                     storeSampled](const TraceReader *reader) {
        IncidentReportBuilder builder(fromMs, toMs, config);
        if (storeSampled)
            builder.markSampled();
        if (reader)
            reader->readIncident(&builder, inMemory, eventsBeforeMs);
        for (const TraceRecord &trace : recent) {
            if (!builder.addTrace(trace))
                break;
        }
        for (const StateEvent &event : recentEvents)
            builder.addEvent(event);
        return builder.finish();
    };
    if (!m_reader) {
        QMetaObject::invokeMethod(
            this, [build, done = std::move(done)] { done(build(nullptr)); }, Qt::QueuedConnection);
        return;
    }
    read<IncidentReport>(
        [build](const TraceReader &reader) { return build(&reader); }, std::move(done));
}

qint64 TraceStore::storedCount() const
{
    return m_writer ? m_writer->count() : 0;
}

} // namespace Switchyard
