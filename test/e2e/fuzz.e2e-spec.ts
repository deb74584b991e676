import fc from 'fast-check';
import { createTestSchema, describeWith, type TestSchema } from '../support/external-services.js';
import { jsonFixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { StandInUpstream } from '../support/stand-in-upstream.js';

const SECRET = 'sk-fuzz-upstream-key-000000';

/** Small deterministic PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEIRD: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  '',
  'x'.repeat(300),
  '\u0000\uffff',
  [],
  [null],
  {},
  { nested: { deeper: [1, { a: null }] } },
  '__proto__',
  { __proto__: { polluted: true } },
];
const FIELDS = [
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'temperature',
  'tools',
  'tool_choice',
  'stop',
  'n',
  'provider',
  'response_format',
  'reasoning',
  'user',
];

function mutate(base: Record<string, unknown>, next: () => number): Record<string, unknown> {
  const body = structuredClone(base);
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)];
  const edits = 1 + Math.floor(next() * 3);
  for (let i = 0; i < edits; i++) {
    const field = pick(FIELDS);
    if (field === 'messages' && next() < 0.5) {
      const first: unknown = Array.isArray(body.messages) ? body.messages[0] : undefined;
      const m: Record<string, unknown> =
        typeof first === 'object' && first !== null ? { ...first } : { role: 'user' };
      m[pick(['role', 'content', 'tool_calls', 'tool_call_id', 'name'])] = pick(WEIRD);
      body.messages = [m];
    } else if (next() < 0.15) {
      delete body[field];
    } else {
      body[field] = pick(WEIRD);
    }
  }
  return body;
}

const PROVIDERS = [
  {
    name: 'openai',
    model: 'gpt-4o-mini',
    env: (url: string) => ({
      OPENAI_API_KEY: SECRET,
      OPENAI_BASE_URL: `${url}/v1`,
      OPENAI_MODELS: 'gpt-4o-mini',
    }),
    route: ['POST', '/v1/chat/completions', 'openai/chat-completion.json'],
  },
  {
    name: 'anthropic',
    model: 'claude-sonnet-4-5',
    env: (url: string) => ({
      ANTHROPIC_API_KEY: SECRET,
      ANTHROPIC_BASE_URL: url,
      ANTHROPIC_MODELS: 'claude-sonnet-4-5',
    }),
    route: ['POST', '/v1/messages', 'anthropic/message-text.json'],
  },
  {
    name: 'gemini',
    model: 'gemini-2.5-flash',
    env: (url: string) => ({
      GEMINI_API_KEY: SECRET,
      GEMINI_BASE_URL: url,
      GEMINI_MODELS: 'gemini-2.5-flash',
    }),
    route: ['POST', '/v1beta/models/', 'gemini/generate-content-text.json'],
  },
] as const;

// One gateway serves every provider of the corpus.
let upstream: StandInUpstream;
let gw: RunningGateway;
beforeAll(async () => {
  upstream = await StandInUpstream.start();
  for (const { route } of PROVIDERS)
    upstream.on(route[0], route[1], { json: jsonFixture(route[2]) });
  gw = await startGateway(Object.assign({}, ...PROVIDERS.map(({ env }) => env(upstream.url))));
});
afterAll(async () => {
  await gw.close();
  await upstream.stop();
});

describe.each(PROVIDERS)('fuzzed request bodies through $name', ({ model }) => {
  it('answer 200 or a 4xx OpenAI envelope, never a 5xx, for 400 mutated bodies', async () => {
    const next = rng(20261126);
    const base = { model, messages: [{ role: 'user', content: 'hi' }] };
    const outcomes = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const body = mutate(base, next);
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      outcomes.set(res.status, (outcomes.get(res.status) ?? 0) + 1);
      if (res.status >= 500)
        throw new Error(`HTTP ${res.status} for ${JSON.stringify(body)}: ${text}`);
      expect(text).not.toContain(SECRET);
      if (body.stream === true && res.status === 200) continue;
      const json = JSON.parse(text);
      if (res.status !== 200) {
        expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'param', 'type']);
      }
    }
    // The corpus exercises both sides.
    expect(outcomes.get(200) ?? 0).toBeGreaterThan(0);
    expect([...outcomes.keys()].some((s) => s >= 400 && s < 500)).toBe(true);
  }, 60_000);

  it('survives truncated and non-JSON bodies', async () => {
    const good = JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });
    for (let cut = 1; cut < good.length; cut += 7) {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
        body: good.slice(0, cut),
      });
      expect(res.status).toBe(400);
      expect((JSON.parse(await res.text()) as { error: { type: string } }).error.type).toBe(
        'invalid_request_error',
      );
    }
  });
});

/**
 * The admin API on each database: whatever the body or query string, the answer is a
 * 2xx or a 4xx envelope naming the field, never a 5xx (a value the database cannot
 * take, such as an integer out of range or a NUL, is a 400 before any query).
 */
function adminInputSuite(databaseEnv: () => Record<string, string>): void {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway(databaseEnv());
  });
  afterAll(async () => {
    await gw.close();
  });

  const admin = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${gw.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
    });
  const createKey = (body: unknown): Promise<Response> =>
    admin('/admin/keys', { method: 'POST', body: JSON.stringify(body) });
  const expectEnvelope = async (res: Response, status: number, param?: string) => {
    const text = await res.text();
    expect({ status: res.status, text }).toMatchObject({ status });
    const json = JSON.parse(text) as { error: Record<string, unknown> };
    expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    if (param !== undefined) expect(json.error.param).toBe(param);
  };

  it.each([
    ['budget_usd', { budget_usd: 1e-12 }],
    ['budget_usd', { budget_usd: 0.0000000005 }],
    ['budget_usd', { budget_usd: 9_000_000.5 }],
    ['tpm', { tpm: 1e20 }],
    ['tpm', { tpm: 2_147_483_648 }],
    ['rpm', { rpm: 2 ** 53 }],
    ['name', { name: 'a\u0000b' }],
    ['name', { name: 'half \ud83d pair' }],
    ['models', { models: ['openai/\u0000'] }],
    ['metadata', { metadata: { team: 'x\u0000' } }],
    ['metadata', { metadata: { '\udc00': 'x' } }],
  ])('refuses %s out of what the database stores with 400 naming it', async (param, fields) => {
    await expectEnvelope(await createKey({ name: 'k', ...fields }), 400, param);
  });

  it('takes the limits at their bounds and reads them back unchanged', async () => {
    const res = await createKey({
      name: 'édge 🦊',
      rpm: 2_147_483_647,
      tpm: 2_147_483_647,
      budget_usd: 8_999_999.123456789,
      models: ['openai/*'],
      metadata: { ключ: 'значение 🦊' },
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Record<string, unknown>;
    const listed = ((await (await admin('/admin/keys')).json()) as { data: unknown[] }).data;
    const { key: _secret, ...shown } = created;
    expect(listed).toContainEqual(shown);
    expect(shown).toMatchObject({ rpm: 2_147_483_647, budget_usd: 8_999_999.123456789 });
    const tiny = await createKey({ name: 'tiny', budget_usd: 1e-9 });
    expect(tiny.status).toBe(201);
    expect(((await tiny.json()) as { budget_usd: number }).budget_usd).toBe(1e-9);
  });

  it.each([
    ['key_id', 'key_id=%00'],
    ['model', 'model=a%00b'],
    ['provider', 'provider=x%00'],
    ['offset', 'offset=1e20'],
    ['offset', 'offset=99999999999999999999'],
    ['limit', 'limit=1e3x'],
  ])('refuses a usage query with a bad %s with 400', async (param, query) => {
    await expectEnvelope(await admin(`/admin/usage/log?${query}`), 400, param);
  });

  it('pages past the end of the log with the largest offset', async () => {
    const res = await admin(`/admin/usage/log?offset=${Number.MAX_SAFE_INTEGER}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown[] }).data).toEqual([]);
  });

  const weird = fc.oneof(
    fc.constantFrom<unknown>(null, true, 0, -1, 0.5, 1e-12, 1e20, -1e20, 2 ** 31, 2 ** 63, ''),
    fc.double(),
    fc.integer(),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: fc.constantFrom('a', '\u0000', '\ud800', '\udfff', '🦊', '/', '*') }),
    fc.array(fc.string({ unit: 'binary', maxLength: 8 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'binary' }), {
      maxKeys: 3,
    }),
  );
  const KEY_FIELDS = [
    'name',
    'expires_at',
    'models',
    'rpm',
    'tpm',
    'budget_usd',
    'budget_period',
    'metadata',
  ];

  it('answers any POST /admin/keys body with 201 or a 4xx envelope', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...KEY_FIELDS), weird, { minKeys: 1 }),
        fc.boolean(),
        async (fields, named) => {
          const body = named && typeof fields.name !== 'string' ? { ...fields, name: 'k' } : fields;
          const res = await createKey(body);
          if (res.status === 201) {
            await res.arrayBuffer();
            return;
          }
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          await expectEnvelope(res, res.status);
        },
      ),
      { numRuns: 150, seed: 20261207 },
    );
  }, 60_000);

  const QUERY_PARAMS = [
    'limit',
    'offset',
    'key_id',
    'provider',
    'model',
    'from',
    'to',
    'group_by',
    'nope',
  ];
  const queryValue = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent),
    fc.integer().map(String),
    fc.double().map(String),
    fc.constantFrom('%00', '%ff', '%ED%A0%80', '%', '1e20', '-0', '2026-02-30', '+275760-09-13'),
  );

  it('answers any admin usage query string with 200 or a 4xx envelope', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/admin/usage/log', '/admin/usage/summary'),
        fc.array(fc.tuple(fc.constantFrom(...QUERY_PARAMS), queryValue), { maxLength: 4 }),
        async (path, params) => {
          const res = await admin(`${path}?${params.map(([k, v]) => `${k}=${v}`).join('&')}`);
          if (res.status === 200) {
            await res.arrayBuffer();
            return;
          }
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          await expectEnvelope(res, res.status);
        },
      ),
      { numRuns: 150, seed: 20261207 },
    );
  }, 60_000);
}

describe('fuzzed admin input [SQLite]', () => {
  adminInputSuite(() => ({}));
});

describeWith('postgres', 'fuzzed admin input [PostgreSQL]', (url) => {
  let schema: TestSchema | undefined;
  beforeAll(async () => {
    schema = await createTestSchema(url);
  });
  afterAll(async () => {
    await schema?.drop();
  });
  adminInputSuite(() => ({ DATABASE_URL: schema!.url }));
});
