#include "samplingnotice.h"

#include "link/gatewaylink.h"

#include <QLocale>

namespace Switchyard {

SamplingNotice::SamplingNotice(GatewayLink *gateway, QWidget *parent)
    : QLabel(parent)
{
    setObjectName(QStringLiteral("traceSamplingNotice"));
    setWordWrap(true);
    connect(gateway, &GatewayLink::configApplied, this, &SamplingNotice::showFor);
    showFor(gateway->config());
}

void SamplingNotice::showFor(const Config &config)
{
    const double ratio = config.traceSuccessSampleRatio;
    setVisible(ratio < 1.0);
    if (ratio >= 1.0)
        return;
    //: %1: a percentage such as 10%
    setText(tr("Only %1 of the requests answered at the first try are written to the trace "
               "store; every failure, retry and fallback is written (traces.success_sample_ratio "
               "in the configuration). The most recent requests are listed either way.")
                .arg(QLocale().toString(ratio * 100, 'g', 3) + QLatin1Char('%')));
}

} // namespace Switchyard
