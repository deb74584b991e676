import type { ProviderConfig } from '../config/config.js';
import {
  PRICE_FAMILIES,
  type ModelPrice,
  type PriceFamily,
  type PriceOverrides,
  type Rates,
} from '../config/pricing-config.js';
import { PRICE_TABLE } from './pricing-table.js';

/** Rates in pico-dollars (1e-12 USD) per token, which is micro-dollars per 1M tokens. */
interface PicoRates {
  input: bigint;
  output: bigint;
  cachedInput: bigint;
  cacheWrite: bigint;
  reasoning: bigint;
}

export interface Price {
  /** The table or override key that matched, e.g. `anthropic:claude-sonnet-4-5`. */
  source: string;
  rates: PicoRates;
  longContext?: { threshold: number; rates: PicoRates };
}

export interface TokenCounts {
  prompt: number;
  completion: number;
  /** Inside `prompt`. */
  cached: number;
  /** Inside `prompt`. */
  cacheWrite: number;
  /** Inside `completion`. */
  reasoning: number;
}

const PICO_PER_NANO = 1000n;
const SEPARATORS = new Set(['-', '@', ':']);
const MEMO_LIMIT = 2_000;

/**
 * Cost in integer nano-dollars (1e-9 USD). Cached and cache-write tokens are charged at
 * their own rates and not again at the input rate; reasoning tokens are part of the
 * completion tokens. Exact integer arithmetic, rounded half up once at the end.
 */
export function costNanos(t: TokenCounts, price: Price): bigint {
  const r =
    price.longContext && t.prompt > price.longContext.threshold
      ? price.longContext.rates
      : price.rates;
  const n = (v: number): bigint => BigInt(Math.max(0, Math.trunc(v)));
  const cached = Math.min(t.cached, t.prompt);
  const cacheWrite = Math.min(t.cacheWrite, t.prompt - cached);
  const reasoning = Math.min(t.reasoning, t.completion);
  const pico =
    n(t.prompt - cached - cacheWrite) * r.input +
    n(cached) * r.cachedInput +
    n(cacheWrite) * r.cacheWrite +
    n(t.completion - reasoning) * r.output +
    n(reasoning) * r.reasoning;
  return (pico + PICO_PER_NANO / 2n) / PICO_PER_NANO;
}

export function nanosToUsd(nanos: bigint | number): number {
  return Number(nanos) / 1e9;
}

/**
 * Which built-in price list applies to a provider instance: by type for native APIs, by
 * the well-known host (or else the instance name) for OpenAI-compatible ones. Other
 * OpenAI-compatible servers (OpenRouter, Ollama, vLLM) have no built-in prices.
 */
export function priceFamilyOf(
  p: Pick<ProviderConfig, 'name' | 'type' | 'baseUrl'>,
): PriceFamily | undefined {
  switch (p.type) {
    case 'openai':
    case 'azure-openai':
      return 'openai';
    case 'anthropic':
      return 'anthropic';
    case 'gemini':
      return 'gemini';
    case 'openai-compatible': {
      let host = '';
      try {
        host = new URL(p.baseUrl).hostname;
      } catch {
        // matched by name below
      }
      if (host === 'api.groq.com') return 'groq';
      if (host === 'api.x.ai') return 'xai';
      if (host === 'api.deepseek.com') return 'deepseek';
      if (host === 'api.mistral.ai') return 'mistral';
      return (PRICE_FAMILIES as readonly string[]).includes(p.name)
        ? (p.name as PriceFamily)
        : undefined;
    }
  }
}

/** Normalises a model id for matching: lower case, Gemini's `models/` prefix dropped. */
function normalizeModel(model: string): string {
  const m = model.toLowerCase();
  return m.startsWith('models/') ? m.slice('models/'.length) : m;
}

/**
 * The longest key that is the model id itself or a prefix of it followed by `-`, `@` or
 * `:`. `gpt-4o` prices `gpt-4o-2024-08-06` but `gpt-4o-mini` wins for the mini; `gpt-5`
 * does not price `gpt-5.1` (a new model, not a snapshot).
 */
export function matchModel<T>(table: Record<string, T>, model: string): [string, T] | undefined {
  const id = normalizeModel(model);
  let best: [string, T] | undefined;
  for (const [key, value] of Object.entries(table)) {
    const k = key.toLowerCase();
    if (id === k || (id.startsWith(k) && SEPARATORS.has(id.charAt(k.length)))) {
      if (!best || k.length > best[0].length) best = [key, value];
    }
  }
  return best;
}

/**
 * Prices for provider instances, from overrides in tollgate.yaml (by instance name, by
 * price family, or `*`) and the built-in table of the instance's family. The longest
 * matching model key wins wherever it is, so overriding `gpt-4o` does not reprice
 * `gpt-4o-mini`; on equal keys the most specific scope wins (name, family, `*`, table).
 * Lookups are memoised (bounded).
 */
export class Pricing {
  private readonly families = new Map<string, PriceFamily | undefined>();
  private readonly memo = new Map<string, Price | null>();

  constructor(
    providers: Array<Pick<ProviderConfig, 'name' | 'type' | 'baseUrl'>>,
    private readonly overrides: PriceOverrides = {},
    private readonly table: Record<string, Record<string, ModelPrice>> = PRICE_TABLE,
  ) {
    for (const p of providers) this.families.set(p.name, priceFamilyOf(p));
  }

  priceFor(provider: string, model: string): Price | undefined {
    const memoKey = `${provider}\u0000${model}`;
    const hit = this.memo.get(memoKey);
    if (hit !== undefined) return hit ?? undefined;
    const price = this.lookup(provider, model);
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(memoKey, price ?? null);
    return price;
  }

  private lookup(provider: string, model: string): Price | undefined {
    const family = this.families.get(provider);
    // Most specific first: on keys of equal length the earlier scope wins.
    const scopes: Array<[string, Record<string, ModelPrice> | undefined]> = [
      [`config:${provider}`, this.overrides[provider]],
      [`config:${family}`, family && family !== provider ? this.overrides[family] : undefined],
      ['config:*', this.overrides['*']],
      [`table:${family}`, family ? this.table[family] : undefined],
    ];
    let best: { source: string; key: string; price: ModelPrice } | undefined;
    for (const [scope, prices] of scopes) {
      const found = prices && matchModel(prices, model);
      if (found && (!best || found[0].length > best.key.length)) {
        best = { source: `${scope}/${found[0]}`, key: found[0], price: found[1] };
      }
    }
    return best && compile(best.source, best.price);
  }
}

function toPico(usdPerMillion: number): bigint {
  // USD per 1M tokens × 1e6 = pico-dollars per token; validation allows 6 decimals.
  return BigInt(Math.round(usdPerMillion * 1e6));
}

function compileRates(r: Rates): PicoRates {
  return {
    input: toPico(r.input),
    output: toPico(r.output),
    cachedInput: toPico(r.cached_input ?? r.input),
    cacheWrite: toPico(r.cache_write ?? r.input),
    reasoning: toPico(r.reasoning ?? r.output),
  };
}

function compile(source: string, p: ModelPrice): Price {
  return {
    source,
    rates: compileRates(p),
    longContext: p.long_context
      ? { threshold: p.long_context.threshold, rates: compileRates(p.long_context) }
      : undefined,
  };
}
