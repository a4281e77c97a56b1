#pragma once

#include "translate/providertranslator.h"

#include <memory>

namespace Switchyard {

// The Messages stream (message_start … message_stop) as OpenAI chat.completion.chunk events,
// incrementally: text and tool-call deltas, the finish reason, and usage when asked for.
std::unique_ptr<StreamTranslator> anthropicStreamTranslator(bool includeUsage);

} // namespace Switchyard
