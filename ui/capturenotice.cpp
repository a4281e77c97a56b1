#include "capturenotice.h"

#include "link/gatewaylink.h"

namespace Switchyard {

CaptureNotice::CaptureNotice(GatewayLink *gateway, Form form, QWidget *parent)
    : QLabel(parent)
    , m_form(form)
{
    setObjectName(
        form == Form::Banner ? QStringLiteral("captureBanner") : QStringLiteral("captureStatus"));
    if (form == Form::Banner) {
        setWordWrap(true);
        setMargin(6);
        // Light amber under dark text in any theme; the words carry the meaning.
        setStyleSheet(QStringLiteral("QLabel { background: #fff3cd; color: #3d2e00; "
                                     "border: 1px solid #e0c36a; border-radius: 3px; }"));
    }
    connect(gateway, &GatewayLink::configApplied, this, &CaptureNotice::showFor);
    showFor(gateway->config());
}

void CaptureNotice::showFor(const Config &config)
{
    const CaptureSettings &capture = config.capture;
    setVisible(capture.enabled());
    if (!capture.enabled())
        return;
    const QString which = capture.bodies == CaptureMode::All
        ? tr("of every request")
        : tr("of requests with a failed attempt or an error");
    //: %1: which requests; %2: hours; %3: bytes
    const QString sentence
        = tr("Body capture is on: the bodies %1 are kept for %2 h, up to %3 bytes each, with "
             "keys and credentials blanked (capture in the configuration).")
              .arg(which)
              .arg(capture.retentionHours)
              .arg(capture.maxBytes);
    if (m_form == Form::Banner) {
        setText(sentence);
    } else {
        //: status bar: request bodies are being kept
        setText(capture.bodies == CaptureMode::All ? tr("● Capturing all bodies")
                                                   : tr("● Capturing error bodies"));
        setToolTip(sentence);
    }
}

} // namespace Switchyard
