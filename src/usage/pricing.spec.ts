import { checkConfigFile } from '../config/config-file.schema.js';
import { loadUsageConfig } from '../config/usage-config.js';
import { PRICE_TABLE } from './pricing-table.js';
import { costNanos, matchModel, priceFamilyOf, Pricing, type TokenCounts } from './pricing.js';

const providers = [
  { name: 'openai', type: 'openai' as const, baseUrl: 'https://api.openai.com/v1' },
  { name: 'anthropic', type: 'anthropic' as const, baseUrl: 'https://api.anthropic.com' },
  { name: 'gemini', type: 'gemini' as const, baseUrl: 'https://generativelanguage.googleapis.com' },
  { name: 'groq', type: 'openai-compatible' as const, baseUrl: 'https://api.groq.com/openai/v1' },
  { name: 'grok', type: 'openai-compatible' as const, baseUrl: 'https://api.x.ai/v1' },
  { name: 'deepseek', type: 'openai-compatible' as const, baseUrl: 'https://api.deepseek.com/v1' },
  { name: 'mistral', type: 'openai-compatible' as const, baseUrl: 'https://api.mistral.ai/v1' },
  { name: 'azure', type: 'azure-openai' as const, baseUrl: 'https://x.openai.azure.com/openai' },
  { name: 'local', type: 'openai-compatible' as const, baseUrl: 'http://127.0.0.1:8000/v1' },
];

const tokens = (t: Partial<TokenCounts>): TokenCounts => ({
  prompt: 0,
  completion: 0,
  cached: 0,
  cacheWrite: 0,
  reasoning: 0,
  ...t,
});

describe('pricing', () => {
  const pricing = new Pricing(providers);
  const cost = (provider: string, model: string, t: Partial<TokenCounts>): bigint | undefined => {
    const price = pricing.priceFor(provider, model);
    return price && costNanos(tokens(t), price);
  };

  it('prices a million tokens at the list price, in nano-dollars', () => {
    expect(cost('openai', 'gpt-4o', { prompt: 1_000_000 })).toBe(2_500_000_000n);
    expect(cost('openai', 'gpt-4o', { completion: 1_000_000 })).toBe(10_000_000_000n);
    expect(cost('openai', 'gpt-4o-mini', { prompt: 24, completion: 8 })).toBe(
      24n * 150n + 8n * 600n,
    );
  });

  it('matches dated and suffixed ids to their family, the longest key winning', () => {
    const source = (provider: string, model: string) => pricing.priceFor(provider, model)?.source;
    expect(source('openai', 'gpt-4o-2024-08-06')).toBe('table:openai/gpt-4o');
    expect(source('openai', 'gpt-4o-mini-2024-07-18')).toBe('table:openai/gpt-4o-mini');
    expect(source('openai', 'gpt-4o-2024-05-13')).toBe('table:openai/gpt-4o-2024-05-13');
    expect(source('openai', 'gpt-4.1-nano-2025-04-14')).toBe('table:openai/gpt-4.1-nano');
    expect(source('openai', 'o4-mini-2025-04-16')).toBe('table:openai/o4-mini');
    expect(source('anthropic', 'claude-sonnet-4-5-20250929')).toBe(
      'table:anthropic/claude-sonnet-4-5',
    );
    expect(source('anthropic', 'claude-opus-4-20250514')).toBe('table:anthropic/claude-opus-4');
    expect(source('anthropic', 'claude-opus-4-1-20250805')).toBe('table:anthropic/claude-opus-4-1');
    expect(source('anthropic', 'claude-opus-4-5-20251101')).toBe('table:anthropic/claude-opus-4-5');
    expect(source('anthropic', 'claude-3-7-sonnet-latest')).toBe(
      'table:anthropic/claude-3-7-sonnet',
    );
    expect(source('gemini', 'gemini-2.5-flash-lite')).toBe('table:gemini/gemini-2.5-flash-lite');
    expect(source('gemini', 'models/gemini-2.5-flash-preview-09-2025')).toBe(
      'table:gemini/gemini-2.5-flash',
    );
    expect(source('gemini', 'gemini-3-pro-preview')).toBe('table:gemini/gemini-3-pro');
    expect(source('grok', 'grok-4-1-fast-reasoning')).toBe('table:xai/grok-4-1-fast');
    expect(source('grok', 'grok-4-0709')).toBe('table:xai/grok-4');
    expect(source('azure', 'gpt-4.1-mini')).toBe('table:openai/gpt-4.1-mini');
  });

  it('does not price a different model that merely shares a prefix', () => {
    expect(pricing.priceFor('openai', 'gpt-5.2')).toBeUndefined();
    expect(pricing.priceFor('openai', 'gpt-4omni')).toBeUndefined();
    expect(pricing.priceFor('openai', 'o3x')).toBeUndefined();
    expect(matchModel({ 'gpt-4': 1 }, 'gpt-4.1')).toBeUndefined();
  });

  it('knows the major current models of every supported provider', () => {
    const expected: Array<[string, string]> = [
      ['openai', 'gpt-4o'],
      ['openai', 'gpt-4o-mini'],
      ['openai', 'gpt-4.1'],
      ['openai', 'gpt-4.1-mini'],
      ['openai', 'gpt-4.1-nano'],
      ['openai', 'o3'],
      ['openai', 'o4-mini'],
      ['openai', 'gpt-5'],
      ['openai', 'gpt-5-mini'],
      ['openai', 'gpt-5-nano'],
      ['anthropic', 'claude-opus-4-5-20251101'],
      ['anthropic', 'claude-sonnet-4-20250514'],
      ['anthropic', 'claude-haiku-4-5-20251001'],
      ['anthropic', 'claude-3-5-sonnet-20241022'],
      ['anthropic', 'claude-3-5-haiku-20241022'],
      ['anthropic', 'claude-3-7-sonnet-20250219'],
      ['gemini', 'gemini-2.5-pro'],
      ['gemini', 'gemini-2.5-flash'],
      ['gemini', 'gemini-2.5-flash-lite'],
      ['gemini', 'gemini-3-pro-preview'],
      ['groq', 'llama-3.3-70b-versatile'],
      ['groq', 'llama-3.1-8b-instant'],
      ['grok', 'grok-4'],
      ['grok', 'grok-3-mini'],
      ['deepseek', 'deepseek-chat'],
      ['deepseek', 'deepseek-reasoner'],
      ['mistral', 'mistral-large-latest'],
      ['mistral', 'mistral-small-latest'],
    ];
    for (const [provider, model] of expected) {
      expect([provider, model, pricing.priceFor(provider, model) !== undefined]).toEqual([
        provider,
        model,
        true,
      ]);
    }
    expect(pricing.priceFor('local', 'llama-3.1-8b-instant')).toBeUndefined();
  });

  it('charges cached and cache-write tokens at their own rates, not again at the input rate', () => {
    // Anthropic Sonnet 4.5: input $3, cache write $3.75, cache read $0.30, output $15 per 1M.
    const nanos = cost('anthropic', 'claude-sonnet-4-5', {
      prompt: 10_000,
      cached: 6_000,
      cacheWrite: 3_000,
      completion: 500,
    });
    expect(nanos).toBe(1_000n * 3_000n + 6_000n * 300n + 3_000n * 3_750n + 500n * 15_000n);
  });

  it('counts reasoning tokens inside completion tokens, at the reasoning rate when it differs', () => {
    const custom = new Pricing(providers, {
      local: { thinker: { input: 1, output: 2, reasoning: 4 } },
    });
    const price = custom.priceFor('local', 'thinker')!;
    expect(costNanos(tokens({ completion: 1_000, reasoning: 600 }), price)).toBe(
      400n * 2_000n + 600n * 4_000n,
    );
    // Same rate (the usual case): reasoning costs what output costs.
    expect(cost('openai', 'o3', { completion: 1_000, reasoning: 600 })).toBe(1_000n * 8_000n);
  });

  it('switches to long-context rates for the whole request above the threshold', () => {
    expect(cost('gemini', 'gemini-2.5-pro', { prompt: 200_000 })).toBe(200_000n * 1_250n);
    expect(cost('gemini', 'gemini-2.5-pro', { prompt: 200_001, completion: 10 })).toBe(
      200_001n * 2_500n + 10n * 15_000n,
    );
  });

  it('does not drift: exact integers however many tokens', () => {
    // $0.15 per 1M (150 pico-dollars per token) over a trillion tokens is exactly $150,000.
    expect(cost('openai', 'gpt-4o-mini', { prompt: 1e12 })).toBe(150_000n * 1_000_000_000n);
    // Sub-nano costs round half up once, at the end: $0.0004 per 1M is 0.4 nano per token.
    const tiny = new Pricing(providers, { local: { tiny: { input: 0.0004, output: 0 } } });
    const price = tiny.priceFor('local', 'tiny')!;
    expect(costNanos(tokens({ prompt: 1 }), price)).toBe(0n);
    expect(costNanos(tokens({ prompt: 2 }), price)).toBe(1n);
    expect(costNanos(tokens({ prompt: 1_000_000 }), price)).toBe(400_000n);
  });

  it('clamps inconsistent upstream counts instead of charging negative amounts', () => {
    expect(cost('openai', 'gpt-4o', { prompt: 10, cached: 50, completion: 1, reasoning: 9 })).toBe(
      10n * 1_250n + 1n * 10_000n,
    );
  });

  it('lets tollgate.yaml override by provider name, then price family, then "*"', () => {
    const custom = new Pricing(providers, {
      azure: { 'gpt-4o': { input: 3, output: 11 } },
      openai: { 'gpt-4o': { input: 2, output: 9 } },
      '*': { 'llama-3.1-8b-instant': { input: 0, output: 0 }, 'my-model': { input: 1, output: 1 } },
    });
    expect(custom.priceFor('azure', 'gpt-4o-2024-08-06')?.source).toBe('config:azure/gpt-4o');
    expect(custom.priceFor('openai', 'gpt-4o')?.source).toBe('config:openai/gpt-4o');
    expect(custom.priceFor('openai', 'gpt-4o-mini')?.source).toBe('table:openai/gpt-4o-mini');
    expect(custom.priceFor('local', 'my-model-v2')?.source).toBe('config:*/my-model');
    expect(custom.priceFor('groq', 'llama-3.1-8b-instant')?.source).toBe(
      'config:*/llama-3.1-8b-instant',
    );
  });

  it('picks the price family by well-known host, then by name', () => {
    expect(priceFamilyOf(providers[4])).toBe('xai');
    expect(
      priceFamilyOf({ name: 'groq', type: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1' }),
    ).toBe('groq');
    expect(priceFamilyOf(providers[8])).toBeUndefined();
  });

  it('uses only prices with at most 6 decimals, which are exact in pico-dollars', () => {
    for (const [family, models] of Object.entries(PRICE_TABLE)) {
      for (const [model, price] of Object.entries(models)) {
        const { problems } = checkConfigFile({ pricing: { [family]: { [model]: price } } });
        expect([family, model, problems]).toEqual([family, model, []]);
      }
    }
  });
});

describe('pricing configuration', () => {
  it('reports every problem in the pricing: section, naming where it is', () => {
    const checked = checkConfigFile({
      pricing: {
        openai: { 'gpt-4o': { input: -1, output: 'ten' }, 'gpt-x': { input: 1 } },
        nowhere: { m: { input: 1, output: 1 } },
        local: { m: { input: 1.0000001, output: 1, surprise: 2 } },
        '*': { m: { input: 1, output: 1, long_context: { input: 2, output: 2 } } },
      },
      usage: { retention_days: -3, colour: 'blue' },
    });
    const problems = [...checked.problems];
    loadUsageConfig(
      checked.file,
      undefined,
      'sqlite:./data/tollgate.db',
      ['openai', 'local'],
      problems,
    );
    expect(problems).toEqual([
      'config pricing.openai.gpt-4o.input: must be a number of USD per 1M tokens, got -1',
      'config pricing.openai.gpt-4o.output: must be a number of USD per 1M tokens, got "ten"',
      'config pricing.openai.gpt-x.output: is required',
      'config pricing.local.m.surprise: unknown field (expected input, output, cached_input, cache_write, reasoning, long_context)',
      'config pricing.local.m.input: has more than 6 decimal places',
      'config pricing.*.m.long_context.threshold: is required',
      'config usage.colour: unknown field (expected retention_days, spool_path, flush_interval_ms, batch_size, buffer_size, stuck_after_s)',
      'config usage.retention_days: must be an integer between 0 and 36500, got -3',
      'config pricing.nowhere: not a configured provider, a price family (openai, anthropic, gemini, groq, xai, deepseek, mistral) or "*"',
    ]);
  });

  it('defaults: keep usage forever, a spool per database, env retention wins', () => {
    const problems: string[] = [];
    const c = loadUsageConfig({}, undefined, 'sqlite:/var/lib/tollgate/usage.db', [], problems);
    expect(c.retentionDays).toBe(0);
    expect(c.spoolPath).toBe('/var/lib/tollgate/usage.db.usage-spool.jsonl');
    expect(c.stuckAfterMs).toBe(300_000);
    const pg = (url: string) => loadUsageConfig({}, undefined, url, [], problems);
    expect(pg('postgres://db/x').spoolPath).toMatch(/^data\/usage-spool-pg-[0-9a-f]{12}\.jsonl$/);
    // One database, one spool: the password is not part of its identity...
    expect(pg('postgres://u:one@db:5432/x').spoolPath).toBe(pg('postgres://u:two@db/x').spoolPath);
    expect(pg('postgres://u:secret@db/x').spoolPath).not.toContain('secret');
    // ...but another database, server, user or schema is another spool.
    const spools = new Set(
      [
        'postgres://u@db/x',
        'postgres://u@db/y',
        'postgres://u@other/x',
        'postgres://v@db/x',
        'postgres://u@db/x?options=-c%20search_path%3Da',
        'postgres://u@db/x?options=-c%20search_path%3Db',
      ].map((u) => pg(u).spoolPath),
    );
    expect(spools.size).toBe(6);
    expect(pg('sqlite:/a/one.db').databaseId).not.toBe(pg('sqlite:/a/two.db').databaseId);
    expect(
      loadUsageConfig({ usage: { retention_days: 30 } }, 7, 'postgres://db/x', [], problems)
        .retentionDays,
    ).toBe(7);
    expect(problems).toEqual([]);
  });
});
