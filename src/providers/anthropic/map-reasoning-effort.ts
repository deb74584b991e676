import type { ReasoningEffort } from '../../openai/chat-completion.types.js';
import type { AnthropicThinkingConfig } from './anthropic.types.js';

/**
 * OpenAI reasoning effort → Anthropic extended-thinking budget. Anthropic's minimum is
 * 1024; the top value stays below the smallest output ceiling of a thinking-capable
 * family (32,000 for Opus 4 / 4.1), so the built-in `max_tokens` defaults always leave
 * room for an answer. `none` turns thinking off (Anthropic's default).
 */
export const THINKING_BUDGET_BY_EFFORT: Readonly<Record<Exclude<ReasoningEffort, 'none'>, number>> =
  {
    minimal: 1_024,
    low: 2_048,
    medium: 8_192,
    high: 16_384,
    xhigh: 24_576,
  };

export interface ThinkingSettings {
  thinking?: AnthropicThinkingConfig;
  max_tokens: number;
}

/**
 * The `thinking` block for an effort, and the `max_tokens` to send with it. Anthropic
 * needs `budget_tokens < max_tokens` (thinking counts towards `max_tokens`); when the
 * requested or default `max_tokens` is not above the budget, the gateway sends
 * budget + that value, so the visible answer keeps the room the client asked for instead
 * of the request being refused.
 */
export function toAnthropicThinking(
  effort: ReasoningEffort | null | undefined,
  maxTokens: number,
): ThinkingSettings {
  if (effort === null || effort === undefined || effort === 'none')
    return { max_tokens: maxTokens };
  const budget = THINKING_BUDGET_BY_EFFORT[effort];
  return {
    thinking: { type: 'enabled', budget_tokens: budget },
    max_tokens: maxTokens > budget ? maxTokens : budget + maxTokens,
  };
}
