import type { ProviderConfig } from '../config/config.js';
import { defaultMaxTokens } from '../providers/anthropic/default-max-tokens.js';
import { costNanos, type Price } from '../usage/pricing.js';

/**
 * Output tokens assumed for a request that sets no `max_tokens` /
 * `max_completion_tokens` on a model whose ceiling the gateway does not know (all but
 * Anthropic's, which the Anthropic adapter knows): OpenAI's GPT-4.1 family ceiling.
 */
export const DEFAULT_OUTPUT_CEILING = 32_768;

/** The most output tokens a request may produce: its own bound, else the model's ceiling. */
export function outputCeiling(
  body: { max_tokens?: unknown; max_completion_tokens?: unknown; n?: unknown },
  provider: Pick<ProviderConfig, 'type' | 'defaultMaxTokens'> | undefined,
  model: string,
  fallback: number = DEFAULT_OUTPUT_CEILING,
): number {
  const own = positive(body.max_completion_tokens) ?? positive(body.max_tokens);
  const perChoice =
    own ??
    (provider?.type === 'anthropic'
      ? defaultMaxTokens(model, provider.defaultMaxTokens)
      : fallback);
  return perChoice * (positive(body.n) ?? 1);
}

/**
 * The most a request can cost: its estimated prompt and its output ceiling at the model's
 * price, each part at the dearer of its rates (a prompt written to the cache, output that
 * is all reasoning).
 */
export function worstCaseNanos(promptTokens: number, outputTokens: number, price: Price): bigint {
  const cost = (prompt: number, cacheWrite: number, completion: number, reasoning: number) =>
    costNanos({ prompt, completion, cached: 0, cacheWrite, reasoning }, price);
  // The prompt alone decides the long-context rates; its output part is the difference.
  const promptPart = max(cost(promptTokens, 0, 0, 0), cost(promptTokens, promptTokens, 0, 0));
  const base = cost(promptTokens, 0, 0, 0);
  const outputPart = max(
    cost(promptTokens, 0, outputTokens, 0) - base,
    cost(promptTokens, 0, outputTokens, outputTokens) - base,
  );
  // Rounding happens per call: one nano-dollar of margin per part keeps this an upper bound.
  return promptPart + outputPart + 2n;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function positive(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}
