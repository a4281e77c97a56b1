#pragma once

#include <QLabel>

namespace Switchyard {

class GatewayLink;
struct Config;

// Says that request bodies are being kept (capture.bodies), shown only while they are: bodies
// hold prompts and answers, so a console never lets that go unnoticed. Compact in the status
// bar, a whole sentence above the traces. Follows the gateway's running config.
class CaptureNotice final : public QLabel {
    Q_OBJECT
public:
    enum class Form { StatusBar, Banner };

    CaptureNotice(GatewayLink *gateway, Form form, QWidget *parent = nullptr);

private:
    void showFor(const Config &config);

    Form m_form;
};

} // namespace Switchyard
