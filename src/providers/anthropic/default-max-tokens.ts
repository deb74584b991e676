/**
 * Anthropic requires `max_tokens`; OpenAI clients usually leave it out, meaning "as much
 * as the model allows". Without a client value or an operator default
 * (`default_max_tokens` in the provider's YAML), the gateway asks for the model family's
 * documented output ceiling, so an answer is cut short no earlier than it would be on
 * OpenAI. Unknown models get 4096, which every Claude model accepts.
 *
 * First match wins, so the more specific prefixes come first. Dated ids
 * (`claude-sonnet-4-5-20250929`) and aliases (`claude-sonnet-4-5`) share a prefix; a newer
 * model of a listed family (`claude-opus-4-7`) gets its family's value.
 */
export const DEFAULT_MAX_TOKENS_BY_FAMILY: ReadonlyArray<
  readonly [prefix: string, tokens: number]
> = [
  ['claude-opus-4-6', 128_000],
  ['claude-opus-4-5', 64_000],
  ['claude-opus-4-1', 32_000],
  ['claude-opus-4', 32_000],
  ['claude-sonnet-4', 64_000],
  ['claude-haiku-4', 64_000],
  ['claude-3-7-sonnet', 64_000],
  ['claude-3-5-sonnet', 8_192],
  ['claude-3-5-haiku', 8_192],
  ['claude-3-opus', 4_096],
  ['claude-3-haiku', 4_096],
];

export const FALLBACK_MAX_TOKENS = 4_096;

/** The `max_tokens` to send when the client gave none: operator default, else the family's. */
export function defaultMaxTokens(
  model: string,
  configured: Readonly<Record<string, number>> | undefined,
): number {
  // Own keys only: the model name comes from the client ("__proto__" is not configured).
  if (configured && Object.hasOwn(configured, model)) return configured[model];
  const bare = model.toLowerCase();
  const family = DEFAULT_MAX_TOKENS_BY_FAMILY.find(([prefix]) => bare.startsWith(prefix));
  return family ? family[1] : FALLBACK_MAX_TOKENS;
}
