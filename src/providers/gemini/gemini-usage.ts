import type { Usage } from '../../openai/chat-completion.types.js';
import type { GeminiUsageMetadata } from './gemini.types.js';

/**
 * `usageMetadata` → OpenAI usage.
 *
 * - prompt = `promptTokenCount` (already includes the cached part) + `toolUsePromptTokenCount`
 *   (tokens of tool-use prompts, which Google bills as input but counts separately);
 *   `cached_tokens` = `cachedContentTokenCount`.
 * - completion = `candidatesTokenCount` + `thoughtsTokenCount`: OpenAI counts reasoning
 *   inside completion tokens, Google counts thoughts beside the candidates;
 *   `reasoning_tokens` = thoughts.
 * - total = prompt + completion, which is how Google composes `totalTokenCount`; the
 *   native object stays in `raw_usage`, unchanged, for anything this mapping leaves out
 *   (shared, not copied: it was just parsed and nothing mutates it).
 *
 * Stream chunks repeat the cumulative object; callers keep the latest, never a sum.
 */
export function convertGeminiUsage(usage: GeminiUsageMetadata): Usage {
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const prompt = n(usage.promptTokenCount) + n(usage.toolUsePromptTokenCount);
  const thoughts = n(usage.thoughtsTokenCount);
  const completion = n(usage.candidatesTokenCount) + thoughts;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: n(usage.cachedContentTokenCount) },
    completion_tokens_details: { reasoning_tokens: thoughts },
    raw_usage: usage,
  };
}
