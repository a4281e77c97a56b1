#include "models/providertablemodel.h"

#include <QDateTime>

namespace Switchyard {

ProviderTableModel::ProviderTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int ProviderTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ProviderTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ProviderTableModel::keyStateText(KeyState state)
{
    switch (state) {
    case KeyState::NotNeeded:
        return tr("not needed");
    case KeyState::Reading:
        return tr("reading…");
    case KeyState::Set:
        return tr("set");
    case KeyState::Missing:
        return tr("missing");
    case KeyState::Unreadable:
        return tr("unreadable");
    case KeyState::Rejected:
        return tr("rejected by the upstream");
    case KeyState::CoolingDown:
        return tr("cooling down after a rate limit");
    }
    return QString();
}

QString ProviderTableModel::keySourceText(const SecretRef &ref)
{
    switch (ref.source) {
    case SecretRef::Source::None:
        return tr("none");
    case SecretRef::Source::Keychain:
        return tr("keychain entry '%1'").arg(ref.name);
    case SecretRef::Source::Environment:
        return tr("environment variable %1").arg(ref.name);
    }
    return QString();
}

QVariant ProviderTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ProviderSnapshot &row = m_rows.at(index.row());
    if (role == KeyStateRole)
        return int(row.keyState);
    // A pool's keys are set one by one, in the keys table.
    if (role == KeychainNameRole)
        return row.key.source == SecretRef::Source::Keychain && row.keys.size() <= 1 ? row.key.name
                                                                                     : QString();
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (Column(index.column())) {
    case Name:
        return row.name;
    case Kind:
        return row.kind;
    case BaseUrl:
        return row.kind == QLatin1String("simulated") ? tr("(in-process simulation)") : row.baseUrl;
    case Key:
        if (row.keys.size() > 1)
            return tr("a pool of %n keys", nullptr, int(row.keys.size()));
        return keySourceText(row.key);
    case KeyStatus:
        if (role == Qt::ToolTipRole && !row.keyDetail.isEmpty())
            return row.keyDetail;
        // A pool's state is a summary: how many of its keys serve.
        if (row.keys.size() > 1)
            return tr("%1 (%2)").arg(keyStateText(row.keyState), row.keyDetail);
        return keyStateText(row.keyState);
    case LastTest:
        switch (row.test) {
        case ProviderSnapshot::Test::NotRun:
            return tr("not tested");
        case ProviderSnapshot::Test::Running:
            return tr("testing…");
        case ProviderSnapshot::Test::Passed:
        case ProviderSnapshot::Test::Failed:
            return tr("%1 (%2)").arg(row.testResult,
                QLocale().toString(
                    QDateTime::fromMSecsSinceEpoch(row.testedAtMs).time(), QLocale::ShortFormat));
        }
        break;
    case Routes:
        return row.routes.join(QLatin1String(", "));
    case ColumnCount:
        break;
    }
    return {};
}

QVariant ProviderTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Name:
        return tr("Provider");
    case Kind:
        return tr("Kind");
    case BaseUrl:
        return tr("Base URL");
    case Key:
        return tr("Key reference");
    case KeyStatus:
        return tr("Key status");
    case LastTest:
        return tr("Last test");
    case Routes:
        return tr("Routes");
    case ColumnCount:
        break;
    }
    return {};
}

void ProviderTableModel::setProviders(const QList<ProviderSnapshot> &providers)
{
    // Rows that went away, then rows that changed, then rows that are new: no reset, so the
    // selection and scroll position survive a key check or a Test.
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        const QString name = m_rows.at(row).name;
        if (std::none_of(providers.cbegin(), providers.cend(),
                [&name](const ProviderSnapshot &p) { return p.name == name; })) {
            beginRemoveRows(QModelIndex(), row, row);
            m_rows.removeAt(row);
            endRemoveRows();
        }
    }
    for (const ProviderSnapshot &snapshot : providers) {
        const auto existing = std::find_if(m_rows.begin(), m_rows.end(),
            [&snapshot](const ProviderSnapshot &p) { return p.name == snapshot.name; });
        if (existing != m_rows.end()) {
            if (*existing == snapshot)
                continue;
            *existing = snapshot;
            const int row = int(existing - m_rows.begin());
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
            continue;
        }
        const int row = int(m_rows.size());
        beginInsertRows(QModelIndex(), row, row);
        m_rows.append(snapshot);
        endInsertRows();
    }
}

const ProviderSnapshot *ProviderTableModel::provider(const QString &name) const
{
    for (const ProviderSnapshot &row : m_rows) {
        if (row.name == name)
            return &row;
    }
    return nullptr;
}

} // namespace Switchyard
