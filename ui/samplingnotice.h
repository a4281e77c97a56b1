#pragma once

#include <QLabel>

namespace Switchyard {

class GatewayLink;
struct Config;

// Says, above the traces, that the store writes only a share of plain successes
// (traces.success_sample_ratio), shown only while it does: an operator who looks for a request
// that went well and finds nothing must know why. Follows the gateway's running config.
class SamplingNotice final : public QLabel {
    Q_OBJECT
public:
    explicit SamplingNotice(GatewayLink *gateway, QWidget *parent = nullptr);

private:
    void showFor(const Config &config);
};

} // namespace Switchyard
