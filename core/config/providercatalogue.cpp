#include "config/providercatalogue.h"

namespace Switchyard {

const QList<KnownProvider> &knownProviders()
{
    static const QList<KnownProvider> catalogue {
        { QStringLiteral("openai"), QStringLiteral("OpenAI"), QStringLiteral("openai"),
            QStringLiteral("https://api.openai.com/v1") },
        // The Messages API; the gateway appends /v1/messages itself.
        { QStringLiteral("anthropic"), QStringLiteral("Anthropic"), QStringLiteral("anthropic"),
            QStringLiteral("https://api.anthropic.com") },
        { QStringLiteral("groq"), QStringLiteral("Groq"), QStringLiteral("openai"),
            QStringLiteral("https://api.groq.com/openai/v1") },
        { QStringLiteral("mistral"), QStringLiteral("Mistral"), QStringLiteral("openai"),
            QStringLiteral("https://api.mistral.ai/v1") },
        { QStringLiteral("deepseek"), QStringLiteral("DeepSeek"), QStringLiteral("openai"),
            QStringLiteral("https://api.deepseek.com/v1") },
        { QStringLiteral("together"), QStringLiteral("Together"), QStringLiteral("openai"),
            QStringLiteral("https://api.together.xyz/v1") },
        { QStringLiteral("openrouter"), QStringLiteral("OpenRouter"), QStringLiteral("openai"),
            QStringLiteral("https://openrouter.ai/api/v1") },
        { QStringLiteral("ollama"), QStringLiteral("Ollama (local)"), QStringLiteral("openai"),
            QStringLiteral("http://127.0.0.1:11434/v1"), false },
        { QStringLiteral("vllm"), QStringLiteral("vLLM (local)"), QStringLiteral("openai"),
            QStringLiteral("http://127.0.0.1:8000/v1"), false },
        { QStringLiteral("lmstudio"), QStringLiteral("LM Studio (local)"), QStringLiteral("openai"),
            QStringLiteral("http://127.0.0.1:1234/v1"), false },
    };
    return catalogue;
}

} // namespace Switchyard
