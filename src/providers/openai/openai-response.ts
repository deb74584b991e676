import type {
  ChatCompletion,
  ChatCompletionChunk,
  Usage,
} from '../../openai/chat-completion.types.js';

/**
 * Usage as the gateway reports it: the upstream's fields with `raw_usage` holding the
 * upstream object itself. It was just parsed and nothing mutates it, so sharing it is
 * safe and saves a deep copy per response. Groq reports stream usage under
 * `x_groq.usage` only.
 */
export function usageWithRaw(usage: Usage): Usage {
  return { ...usage, raw_usage: usage };
}

export function upstreamUsageOf(obj: ChatCompletion | ChatCompletionChunk): Usage | undefined {
  if (obj.usage) return obj.usage;
  const groq = (obj.x_groq as { usage?: Usage } | undefined)?.usage;
  return groq ?? undefined;
}

/** A non-streamed OpenAI-family completion as the gateway returns it. */
export function normalizeOpenAICompletion(json: ChatCompletion): ChatCompletion {
  const usage = upstreamUsageOf(json);
  if (usage) json.usage = usageWithRaw(usage);
  return json;
}
