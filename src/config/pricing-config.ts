/**
 * The `pricing:` section of tollgate.yaml: its types and its validation. Part of the
 * configuration (a leaf); the price table and cost arithmetic are in usage/pricing.ts.
 */

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
 * Validates the `pricing:` section, reporting problems the way config.ts does. Scopes are
 * configured provider names, price families or `*`.
 */
export function parsePriceOverrides(
  raw: unknown,
  providerNames: string[],
  problems: string[],
): PriceOverrides {
  if (raw === undefined || raw === null) return {};
  const isMap = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(raw)) {
    problems.push('config pricing: must be a mapping of provider → model → prices');
    return {};
  }
  const scopes = new Set<string>([...providerNames, ...PRICE_FAMILIES, '*']);
  const out: PriceOverrides = {};
  for (const [scope, models] of Object.entries(raw)) {
    const where = `config pricing.${scope}`;
    if (!scopes.has(scope)) {
      problems.push(
        `${where}: not a configured provider, a price family (${PRICE_FAMILIES.join(', ')}) or "*"`,
      );
      continue;
    }
    if (!isMap(models)) {
      problems.push(`${where}: must be a mapping of model → prices`);
      continue;
    }
    out[scope] = {};
    for (const [model, price] of Object.entries(models)) {
      const parsed = parseRates(price, `${where}.${model}`, problems, true);
      if (parsed) out[scope][model] = parsed;
    }
  }
  return out;
}

function parseRates(
  raw: unknown,
  where: string,
  problems: string[],
  allowLong: boolean,
): (Rates & { threshold?: number; long_context?: Rates & { threshold: number } }) | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${where}: must be a mapping with input and output (USD per 1M tokens)`);
    return undefined;
  }
  const e = raw as Record<string, unknown>;
  const known = new Set<string>([
    ...RATE_FIELDS,
    ...(allowLong ? ['long_context'] : ['threshold']),
  ]);
  let ok = true;
  for (const key of Object.keys(e)) {
    if (!known.has(key)) {
      problems.push(`${where}.${key}: unknown field (expected ${[...known].join(', ')})`);
      ok = false;
    }
  }
  const out: Record<string, unknown> = {};
  for (const field of RATE_FIELDS) {
    const v = e[field];
    if (v === undefined || v === null) {
      if (field === 'input' || field === 'output') {
        problems.push(`${where}.${field} is required (USD per 1M tokens)`);
        ok = false;
      }
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1_000_000) {
      problems.push(
        `${where}.${field} must be a number of USD per 1M tokens, got ${JSON.stringify(v)}`,
      );
      ok = false;
    } else if (Math.abs(v * 1e6 - Math.round(v * 1e6)) > 1e-6) {
      problems.push(`${where}.${field} has more than 6 decimal places`);
      ok = false;
    } else {
      out[field] = v;
    }
  }
  if (!allowLong) {
    const t = e.threshold;
    if (!Number.isInteger(t) || (t as number) < 1) {
      problems.push(`${where}.threshold must be a positive number of prompt tokens`);
      ok = false;
    } else {
      out.threshold = t;
    }
  } else if (e.long_context !== undefined) {
    const long = parseRates(e.long_context, `${where}.long_context`, problems, false);
    if (long) out.long_context = long;
    else ok = false;
  }
  return ok ? (out as unknown as Rates) : undefined;
}
