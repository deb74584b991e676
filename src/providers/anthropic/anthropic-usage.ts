import type { Usage } from '../../openai/chat-completion.types.js';
import type { AnthropicUsage } from './anthropic.types.js';

/**
 * Anthropic usage → OpenAI usage. Anthropic's `input_tokens` excludes the prompt cache,
 * OpenAI's `prompt_tokens` includes it: prompt = input + cache read + cache write, with
 * the reads as `cached_tokens` and the writes as `cache_write_tokens`. Reasoning tokens
 * are reported only when Anthropic says how many there were. The native object is kept
 * unchanged in `raw_usage`.
 */
export function toOpenAIUsage(native: AnthropicUsage): Usage {
  const input = count(native.input_tokens);
  const cacheRead = count(native.cache_read_input_tokens);
  const cacheWrite = count(native.cache_creation_input_tokens);
  const output = count(native.output_tokens);
  const prompt = input + cacheRead + cacheWrite;
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: output,
    total_tokens: prompt + output,
    prompt_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: cacheWrite },
  };
  const thinking = native.output_tokens_details?.thinking_tokens;
  if (typeof thinking === 'number') {
    usage.completion_tokens_details = { reasoning_tokens: thinking };
  }
  // The parsed object itself: nothing mutates it (stream merges build new objects).
  usage.raw_usage = native;
  return usage;
}

/**
 * A stream's usage so far: `message_start` carries the input side, each `message_delta`
 * cumulative totals. Later values replace earlier ones field by field; a null or missing
 * field in the delta means "not reported" and keeps the earlier value.
 */
export function mergeAnthropicUsage(
  earlier: AnthropicUsage | undefined,
  later: AnthropicUsage | undefined,
): AnthropicUsage {
  const out: AnthropicUsage = { ...(earlier ?? {}) };
  for (const [key, value] of Object.entries(later ?? {})) {
    if (value !== null && value !== undefined) out[key] = value;
  }
  return out;
}

function count(v: number | null | undefined): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
