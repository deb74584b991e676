/**
 * The `pricing:` section of tollgate.yaml: its types and its validation. Part of the
 * configuration (a leaf); the price table and cost arithmetic are in usage/pricing.ts.
 */
import type { ConfigFile } from './config-file.schema.js';

/** Prices as people write them: USD per 1M tokens. */
export interface Rates {
  input: number;
  output: number;
  /** Prompt tokens read from the provider's cache. Default: `input`. */
  cached_input?: number;
  /** Prompt tokens written to the provider's cache. Default: `input`. */
  cache_write?: number;
  /** Reasoning tokens (part of completion tokens). Default: `output`. */
  reasoning?: number;
}

export interface ModelPrice extends Rates {
  /** Other rates for the whole request once its prompt exceeds `threshold` tokens. */
  long_context?: Rates & { threshold: number };
}

export const PRICE_FAMILIES = [
  'openai',
  'anthropic',
  'gemini',
  'groq',
  'xai',
  'deepseek',
  'mistral',
] as const;
export type PriceFamily = (typeof PRICE_FAMILIES)[number];

/** `pricing:` in tollgate.yaml: scope (provider name, price family or `*`) → model → price. */
export type PriceOverrides = Record<string, Record<string, ModelPrice>>;

const RATE_FIELDS = ['input', 'output', 'cached_input', 'cache_write', 'reasoning'] as const;

/**
 * The `pricing:` section the schema accepted (see config-file.schema.ts), checked for what
 * the schema cannot know: a scope is a configured provider name, a price family or `*`.
 * Unset (null) rates are left out.
 */
export function parsePriceOverrides(
  raw: ConfigFile['pricing'],
  providerNames: readonly string[],
  problems: string[],
): PriceOverrides {
  const scopes = new Set<string>([...providerNames, ...PRICE_FAMILIES, '*']);
  const out: PriceOverrides = {};
  for (const [scope, models] of Object.entries(raw ?? {})) {
    if (!scopes.has(scope)) {
      problems.push(
        `config pricing.${scope}: not a configured provider, a price family (${PRICE_FAMILIES.join(', ')}) or "*"`,
      );
      continue;
    }
    out[scope] = {};
    for (const [model, price] of Object.entries(models)) {
      const parsed: ModelPrice = rates(price);
      if (price.long_context) {
        parsed.long_context = {
          ...rates(price.long_context),
          threshold: price.long_context.threshold,
        };
      }
      out[scope][model] = parsed;
    }
  }
  return out;
}

function rates(raw: Partial<Record<(typeof RATE_FIELDS)[number], number | null>>): Rates {
  const out: Record<string, number> = {};
  for (const field of RATE_FIELDS) {
    const v = raw[field];
    if (v !== undefined && v !== null) out[field] = v;
  }
  return out as unknown as Rates;
}
