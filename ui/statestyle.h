#pragma once

#include "routing/breaker.h"
#include "routing/failureclass.h"

#include <QColor>
#include <QString>

class QLabel;
class QWidget;

namespace Switchyard {

// The console's colours for breaker states and failure classes. Colour is never the only
// signal: every badge and bar also carries text.
namespace StateStyle {

QColor stateColor(BreakerState state);
QColor classColor(FailureClass failureClass);
// Black or white, whichever reads better on `background`.
QColor textOn(const QColor &background);
// A hidden, word-wrapped label in the error colour, for a form's inline validation messages.
QLabel *inlineErrorLabel(QWidget *parent);

} // namespace StateStyle
} // namespace Switchyard
