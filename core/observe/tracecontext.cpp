#include "observe/tracecontext.h"

#include <QRandomGenerator>

namespace Switchyard {

namespace {

bool isLowerHex(QByteArrayView text)
{
    for (const char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

bool allZero(QByteArrayView text)
{
    for (const char c : text) {
        if (c != '0')
            return false;
    }
    return true;
}

QString randomHex(int words)
{
    QString hex;
    for (int i = 0; i < words; ++i) {
        quint64 value = 0;
        while (value == 0) // an id of all zeros is invalid
            value = QRandomGenerator::global()->generate64();
        hex += QStringLiteral("%1").arg(value, 16, 16, QLatin1Char('0'));
    }
    return hex;
}

} // namespace

std::optional<TraceContext> TraceContext::fromTraceparent(QByteArrayView header)
{
    // version "-" trace-id "-" parent-id "-" flags: 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55 characters.
    // A later version may append fields after a dash; version ff is forbidden.
    const QByteArrayView text = header.trimmed();
    if (text.size() < 55 || text.at(2) != '-' || text.at(35) != '-' || text.at(52) != '-')
        return std::nullopt;
    const QByteArrayView version = text.first(2);
    if (!isLowerHex(version) || version == "ff" || (version == "00" && text.size() != 55)
        || (text.size() > 55 && text.at(55) != '-'))
        return std::nullopt;
    const QByteArrayView traceId = text.sliced(3, 32);
    const QByteArrayView parentId = text.sliced(36, 16);
    const QByteArrayView flags = text.sliced(53, 2);
    if (!isLowerHex(traceId) || !isLowerHex(parentId) || !isLowerHex(flags) || allZero(traceId)
        || allZero(parentId))
        return std::nullopt;
    TraceContext context;
    context.traceId = QString::fromLatin1(traceId);
    context.parentSpanId = QString::fromLatin1(parentId);
    context.sampled = (flags.toByteArray().toUInt(nullptr, 16) & 0x01) != 0;
    return context;
}

TraceContext TraceContext::begin(QByteArrayView traceparent, double ratio)
{
    if (std::optional<TraceContext> continued = fromTraceparent(traceparent))
        return *continued;
    TraceContext context;
    context.traceId = newTraceId();
    // The trace id's last 16 digits against the ratio (the TraceIdRatioBased sampler's rule).
    const quint64 low = context.traceId.right(16).toULongLong(nullptr, 16);
    context.sampled
        = ratio >= 1.0 || (ratio > 0.0 && double(low >> 11) < ratio * double(quint64(1) << 53));
    return context;
}

QString TraceContext::newTraceId()
{
    return randomHex(2);
}

QString TraceContext::newSpanId()
{
    return randomHex(1);
}

QByteArray TraceContext::traceparentFor(const QString &spanId) const
{
    return "00-" + traceId.toLatin1() + '-' + spanId.toLatin1() + (sampled ? "-01" : "-00");
}

} // namespace Switchyard
