import type {
  ChatCompletion,
  ChatCompletionChunk,
  Usage,
} from '../../chat/chat-completion.types.js';

/**
 * Usage as the gateway reports it: the upstream's object with `raw_usage` holding an
 * unchanged copy. Groq reports stream usage under `x_groq.usage` only.
 */
export function usageWithRaw(usage: Usage): Usage {
  return { ...usage, raw_usage: structuredClone(usage) as Record<string, unknown> };
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
