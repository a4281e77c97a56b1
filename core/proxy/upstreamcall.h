#pragma once

#include "config/config.h"
#include "proxy/streamrelay.h"
#include "proxy/upstreamattempt.h"
#include "routing/requestanalysis.h"
#include "translate/providertranslator.h"

namespace Switchyard {

// What is sent upstream for one attempt on one route, and how its stream is taken back.
struct UpstreamCall {
    UpstreamAttempt::Call call;
    StreamRelay::Options relay;
};

// The caller's request as `route` receives it. A provider with a translator gets `translated`;
// an OpenAI-speaking one gets the caller's own body with the route's model (and, for a stream,
// a request for usage the relay takes out again) — the pass-through is one more translation.
struct UpstreamCallInput {
    const RouteConfig *route = nullptr;
    const ProviderConfig *provider = nullptr;
    QByteArray key;
    const ProviderTranslator *translator = nullptr;
    const TranslatedRequest *translated = nullptr; // with a translator
    const QByteArray *callerBody = nullptr;
    const RequestAnalysis *analysis = nullptr;
    Endpoint endpoint = Endpoint::ChatCompletions;
    qint64 maxEventBytes = 0;
    qint64 deadlineMs = 0; // what is left of the lane's deadline
};

UpstreamCall prepareUpstreamCall(const UpstreamCallInput &input);

} // namespace Switchyard
