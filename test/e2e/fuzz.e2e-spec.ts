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
