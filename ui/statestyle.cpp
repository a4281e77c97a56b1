#include "statestyle.h"

#include <QLabel>

namespace Switchyard::StateStyle {

QColor stateColor(BreakerState state)
{
    switch (state) {
    case BreakerState::Closed:
        return QColor(0x2e, 0x9d, 0x4f);
    case BreakerState::Open:
        return QColor(0xd1, 0x34, 0x38);
    case BreakerState::HalfOpen:
        return QColor(0xe0, 0x8e, 0x0b);
    case BreakerState::Recovering:
        return QColor(0x2f, 0x7f, 0xd0);
    case BreakerState::Drained:
        return QColor(0x6b, 0x72, 0x80);
    case BreakerState::Drilling:
        return QColor(0x8e, 0x44, 0xad);
    }
    return QColor(0x9c, 0xa3, 0xaf);
}

QColor classColor(FailureClass failureClass)
{
    switch (failureClass) {
    case FailureClass::Ok:
        return QColor(0x2e, 0x9d, 0x4f);
    case FailureClass::CallerError:
        return QColor(0x9c, 0xa3, 0xaf);
    case FailureClass::AuthError:
        return QColor(0x8e, 0x44, 0xad);
    case FailureClass::RateLimited:
        return QColor(0xe0, 0x8e, 0x0b);
    case FailureClass::Transient:
        return QColor(0xd1, 0x34, 0x38);
    case FailureClass::Incompatible:
        return QColor(0x6b, 0x72, 0x80);
    case FailureClass::ContentPolicy:
        return QColor(0xc0, 0x6c, 0x84);
    case FailureClass::ContractViolation:
        return QColor(0xb4, 0x53, 0x09);
    case FailureClass::Budget:
        return QColor(0x0f, 0x76, 0x6e);
    case FailureClass::Cancelled:
        return QColor(0x4b, 0x55, 0x63);
    case FailureClass::MidStream:
        return QColor(0x99, 0x1b, 0x1b);
    }
    return Qt::gray;
}

QColor textOn(const QColor &background)
{
    const double luminance
        = 0.2126 * background.redF() + 0.7152 * background.greenF() + 0.0722 * background.blueF();
    return luminance > 0.55 ? Qt::black : Qt::white;
}

QLabel *inlineErrorLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("color: #c62828;"));
    label->hide();
    return label;
}

} // namespace Switchyard::StateStyle
