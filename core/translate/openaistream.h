#pragma once

#include "translate/providertranslator.h"

#include <memory>

namespace Switchyard {

// An OpenAI-speaking provider's stream, passed through: every event (comments and keep-alives
// included) byte for byte, read only for what the relay must know (content, the finish reason,
// usage). With `stripInjectedUsage` the usage-only chunk the gateway asked for is taken out again,
// and the events are written anew.
std::unique_ptr<StreamTranslator> openAiStreamPassThrough(bool stripInjectedUsage);

} // namespace Switchyard
