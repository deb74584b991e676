import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import fc from 'fast-check';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { CONFIG_FILE_SCHEMA } from './config-file.schema.js';
import { ConfigError, loadConfig, type TollgateConfig } from './config.js';
import { PROVIDER_TYPES } from './provider-types.js';

// The schema compiled on its own, as any JSON Schema tool would: the verdict to match.
const validate = new Ajv({ allErrors: true, strict: true, multipleOfPrecision: 6 }).compile(
  CONFIG_FILE_SCHEMA,
);

const dir = mkdtempSync(join(tmpdir(), 'tg-schema-'));
const env = { OPENAI_API_KEY: 'sk-a', TOLLGATE_AUTH: 'disabled' };

/** Problems the loaders may add to a document the schema accepted: references, not shape. */
const CROSS_REFERENCE = [
  /^config timeouts\.[^:]+: '[^']*' is not a configured provider$/,
  /^config timeouts\.[^:]+\.connect_ms: connections are per provider; set it under timeouts\./,
  /^config pricing\.[^:]+: not a configured provider, a price family \(/,
  /^config providers\.[^.]+\.base_url: is required for type /,
  // No `type:` and no built-in instance of that name to take it from.
  /^config providers\.[^.]+\.type: must be one of /,
  /^provider [^:]+: base URL must start with http:\/\/ or https:\/\//,
];

function load(doc: Record<string, unknown>): {
  parsed: Record<string, unknown>;
  config?: TollgateConfig;
  problems: string[];
} {
  const file = join(dir, 'tollgate.yaml');
  const text = toYaml(doc);
  writeFileSync(file, text);
  const parsed = (parseYaml(text) ?? {}) as Record<string, unknown>;
  try {
    return { parsed, config: loadConfig({ ...env, TOLLGATE_CONFIG: file }), problems: [] };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { parsed, problems: err.problems };
  }
}

/** The dotted path an Ajv error is about, computed independently of the loader's mapping. */
function pathOf(doc: unknown, err: ErrorObject): string {
  const segments =
    err.instancePath === ''
      ? []
      : err.instancePath
          .slice(1)
          .split('/')
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const p = err.params as Record<string, unknown>;
  const key = p.additionalProperty ?? p.missingProperty ?? p.propertyName;
  if (typeof key === 'string') segments.push(key);
  let out = '';
  let node = doc;
  for (const s of segments) {
    out += Array.isArray(node) ? `[${s}]` : out === '' ? s : `.${s}`;
    node = (node as Record<string, unknown> | undefined)?.[s];
  }
  return out;
}

const text = fc.string({ maxLength: 6 }).filter((s) => !s.includes('$'));
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -5, max: 100_000 }),
  fc.double({ min: -2, max: 2 }),
  fc.boolean(),
  fc.constant(null),
  text,
  fc.array(fc.oneof(fc.integer(), text), { maxLength: 2 }),
  fc.dictionary(fc.constantFrom('a', 'input', 'model', 'type'), fc.integer(), { maxKeys: 2 }),
);
/** A plausible value, or now and then anything at all. */
const or = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: junk });
const opt = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) =>
  or(fc.record(fields, { requiredKeys: [] }));
const map = (keys: string[], value: fc.Arbitrary<unknown>) =>
  or(fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 3 }));
const int = (min: number, max: number) =>
  or(
    fc.oneof(
      fc.integer({ min, max }),
      fc.integer({ min: min - 3, max: max + 3 }),
      fc.constant(null),
    ),
  );
const model = or(fc.constantFrom('openai/gpt-4o', 'anthropic/claude', 'm', ''));
const rate = or(
  fc.oneof(
    fc.integer({ min: -1, max: 100 }),
    fc.constantFrom(0.025, 1.25, 1.0000001, 1e-6),
    fc.constant(null),
  ),
);
const rates = {
  input: rate,
  output: rate,
  cached_input: rate,
  reasoning: rate,
};

const SECTIONS: Record<string, fc.Arbitrary<unknown>> = {
  providers: map(
    ['openai', 'team-b', 'Bad/Name', 'groq'],
    opt({
      type: or(fc.constantFrom(...PROVIDER_TYPES, 'telepathy')),
      base_url: or(fc.constantFrom('https://a.example/v1', 'ftp://x', null)),
      api_key: or(fc.constantFrom('sk-x', null)),
      models: or(fc.array(fc.constantFrom('gpt-4o', ''), { maxLength: 2 })),
      headers: map(['x-a'], or(fc.constant('v'))),
      default_max_tokens: map(['m'], int(1, 10)),
      extra: fc.constant(1),
    }),
  ),
  aliases: map(
    ['fast', 'smart'],
    fc.oneof(
      model,
      opt({
        targets: or(
          fc.array(fc.oneof(model, opt({ model, weight: or(fc.constantFrom(1, 0, 2.5, null)) })), {
            maxLength: 3,
          }),
        ),
        strategy: or(fc.constantFrom('weighted', 'least-inflight', 'random', null)),
      }),
    ),
  ),
  pricing: map(
    ['openai', '*', 'nowhere'],
    map(['gpt-4o'], opt({ ...rates, long_context: opt({ ...rates, threshold: int(1, 5) }) })),
  ),
  usage: opt({
    retention_days: int(0, 36_500),
    spool_path: or(fc.constantFrom('/tmp/spool.jsonl', '', null)),
    batch_size: int(1, 5_000),
    flush_interval_ms: int(10, 60_000),
    colour: fc.constant('blue'),
  }),
  retries: int(0, 10),
  retry_backoff: opt({ base_ms: int(0, 60_000), max_ms: int(0, 60_000), jitter: text }),
  fallbacks: map(['smart', 'openai/gpt-4o'], or(fc.array(model, { maxLength: 2 }))),
  timeouts: map(
    ['openai', 'openai/gpt-4o', 'nowhere'],
    opt({ connect_ms: int(1, 3_600_000), idle_ms: int(1, 3_600_000), slow_ms: int(1, 2) }),
  ),
  circuit_breaker: opt({
    window: int(1, 1000),
    failure_ratio: or(fc.constantFrom(0, 0.5, 1, 2, null)),
    cooldown_ms: int(1, 3_600_000),
  }),
};

describe('the YAML schema is the one source of structural rules', () => {
  for (const [section, value] of Object.entries(SECTIONS)) {
    it(`${section}: accepted by the schema ⇔ loaded without a structural problem`, () => {
      let accepted = 0;
      let rejected = 0;
      fc.assert(
        fc.property(value, (v) => {
          const { parsed, config, problems } = load({ [section]: v });
          if (validate(parsed)) {
            accepted++;
            for (const p of problems) {
              expect(CROSS_REFERENCE.some((re) => re.test(p)) ? 'cross-reference' : p).toBe(
                'cross-reference',
              );
            }
            if (config && section === 'retries') expect(config.resilience.retries).toBe(v ?? 2);
            if (config && section === 'usage' && typeof v === 'object' && v !== null) {
              const batch = (v as { batch_size?: number | null }).batch_size;
              expect(config.usage.batchSize).toBe(batch ?? 200);
            }
          } else {
            rejected++;
            for (const err of validate.errors ?? []) {
              if (err.keyword === 'if' || err.propertyName !== undefined) continue;
              const path = pathOf(parsed, err);
              expect(problems.find((p) => p.startsWith(`config ${path}: `)) ?? path).not.toBe(path);
            }
          }
        }),
        { numRuns: 150 },
      );
      // Both sides of the property were exercised.
      expect([accepted > 0, rejected > 0]).toEqual([true, true]);
    });
  }

  it('keeps empty values as "unset" where they were, and refuses them where they were not', () => {
    const ok = load({
      providers: { openai: { type: null, api_key: null, base_url: null } },
      usage: { batch_size: null, spool_path: null },
      retry_backoff: { base_ms: null },
      timeouts: { openai: { idle_ms: null } },
      aliases: {
        pool: { targets: ['openai/a', { model: 'openai/b', weight: null }], strategy: null },
      },
    });
    expect(ok.problems).toEqual([]);
    expect(ok.config?.usage.batchSize).toBe(200);
    expect(ok.config?.resilience.pools.pool).toEqual({
      strategy: 'weighted',
      targets: [
        { model: 'openai/a', weight: 1 },
        { model: 'openai/b', weight: 1 },
      ],
    });
    expect(load({ circuit_breaker: { window: null }, aliases: null }).problems).toEqual([
      'config aliases: must be a mapping of alias → model',
      'config circuit_breaker.window: must be an integer between 1 and 1000, got null',
    ]);
  });

  it('refuses unknown fields in a provider entry and a pool target, naming them', () => {
    expect(
      load({
        providers: { 'team-b': { type: 'openai', api_kee: 'sk-secret' } },
        aliases: { pool: { targets: [{ model: 'openai/a', wieght: 2 }] } },
      }).problems,
    ).toEqual([
      'config providers.team-b.api_kee: unknown field (expected type, base_url, api_key, api_version, models, headers, default_max_tokens)',
      'config aliases.pool.targets[0].wieght: unknown field (expected model, weight)',
    ]);
  });

  it('never puts a string value of the file in a problem (it may be a secret)', () => {
    const { problems } = load({
      providers: { 'team-b': { type: 'openai', api_key: 12345678, headers: { a: 87654321 } } },
    });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).not.toMatch(/12345678|87654321/);
  });
});
