#include "translate/providertranslator.h"

#include "translate/openaierror.h"

namespace Switchyard {

QByteArray StreamTranslator::failureEvent(const QString &message)
{
    return "data: "
        + openAiError(message, QStringLiteral("upstream_error"), QStringLiteral("mid_stream"))
        + "\n\n";
}

} // namespace Switchyard
