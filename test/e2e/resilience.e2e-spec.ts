import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { fixture, jsonFixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { bodyOf } from '../support/http.js';
import { sseFrames, StandInUpstream, type ScriptedResponse } from '../support/stand-in-upstream.js';

const CONFIG = `
retries: 2
retry_backoff: { base_ms: 1, max_ms: 5 }
aliases:
  smart: openai/gpt-4o-mini
  smart-stream: openai/gpt-4.1-nano
  smart-key: openai/gpt-4.1
fallbacks:
  smart: [anthropic/claude-sonnet-4-5, gemini/gemini-2.5-flash]
  smart-stream: [anthropic/claude-sonnet-4-5, gemini/gemini-2.5-flash]
  smart-key: [anthropic/claude-sonnet-4-5, gemini/gemini-2.5-flash]
  openai/flaky: [gemini/gemini-2.5-flash]
timeouts:
  openai/gpt-4o: { first_byte_ms: 300, first_token_ms: 300, idle_ms: 300 }
`;

const HELLO = [{ role: 'user' as const, content: 'hi' }];

const openaiJson = (): ScriptedResponse => ({ json: jsonFixture('openai/chat-completion.json') });
const openaiStream = (extra: Partial<ScriptedResponse> = {}): ScriptedResponse => ({
  frames: sseFrames(fixture('openai/chat-stream-text-usage.sse')),
  ...extra,
});
const geminiJson = (): ScriptedResponse => ({
  headers: { 'content-type': 'application/json; charset=UTF-8' },
  body: fixture('gemini/generate-content-text.json'),
});
const status = (code: number, headers: Record<string, string> = {}): ScriptedResponse => ({
  status: code,
  headers,
  json: { error: { message: `upstream said ${code}`, type: 'server_error' } },
});
/** The gateway's `provider` field, which the SDK's types do not know. */
const providerOf = (c: object): unknown => (c as { provider?: unknown }).provider;
const times = (n: number, r: ScriptedResponse): ScriptedResponse[] =>
  Array.from({ length: n }, () => r);

describe('failures and fallbacks (stand-in OpenAI, Anthropic and Gemini)', () => {
  let openai: StandInUpstream;
  let anthropic: StandInUpstream;
  let gemini: StandInUpstream;
  let gw: RunningGateway;
  let client: OpenAI;

  const admin = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${gw.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** The one usage row of a request (rows are written in batches, a moment later). */
  const rowFor = async (requestId: string | null): Promise<Record<string, any>> => {
    expect(requestId).toBeTruthy();
    for (let i = 0; i < 100; i++) {
      const { data } = (await (await admin('GET', '/admin/usage/log?limit=1000')).json()) as {
        data: Array<Record<string, any>>;
      };
      const rows = data.filter((r) => r.request_id === requestId);
      if (rows.length > 1) throw new Error(`${rows.length} rows for ${requestId}`);
      if (rows.length === 1) return rows[0];
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no usage row for ${requestId}`);
  };

  const post = (body: unknown): Promise<Response> =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    [openai, anthropic, gemini] = await Promise.all([
      StandInUpstream.start(),
      StandInUpstream.start(),
      StandInUpstream.start(),
    ]);
    const file = join(mkdtempSync(join(tmpdir(), 'tg-resil-')), 'tollgate.yaml');
    writeFileSync(file, CONFIG);
    gw = await startGateway({
      TOLLGATE_CONFIG: file,
      OPENAI_API_KEY: 'sk-openai-upstream-0000000000',
      OPENAI_BASE_URL: `${openai.url}/v1`,
      OPENAI_MODELS: 'gpt-4o-mini,gpt-4.1-nano,gpt-4.1,gpt-4o,retry-me,budget,flaky',
      ANTHROPIC_API_KEY: 'sk-ant-api03-upstream-0000000000',
      ANTHROPIC_BASE_URL: anthropic.url,
      ANTHROPIC_MODELS: 'claude-sonnet-4-5',
      GEMINI_API_KEY: 'AIzaSyTollgateStandInKey00000000000000',
      GEMINI_BASE_URL: gemini.url,
      GEMINI_MODELS: 'gemini-2.5-flash',
      METRICS_PUBLIC: 'true',
    });
    client = new OpenAI({ apiKey: MASTER_KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  });
  afterEach(() => {
    openai.reset();
    anthropic.reset();
    gemini.reset();
  });
  afterAll(async () => {
    await gw?.close();
    await Promise.all([openai?.stop(), anthropic?.stop(), gemini?.stop()]);
  });

  describe('retries of the same target', () => {
    it('honours a short retry-after on a 429, then serves', async () => {
      openai.enqueue(status(429, { 'retry-after': '1' }), openaiJson());
      const started = Date.now();
      const { data, response } = await client.chat.completions
        .create({ model: 'openai/retry-me', messages: HELLO })
        .withResponse();
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(providerOf(data)).toBe('openai');
      expect(openai.requests).toHaveLength(2);
      const row = await rowFor(response.headers.get('x-request-id'));
      expect(row).toMatchObject({ status_code: 200, attempts: 2, provider: 'openai' });
    });

    it('retries a 503 and a connection reset, up to `retries` further tries', async () => {
      openai.enqueue(status(503), { resetBeforeHeaders: true }, openaiJson());
      const res = await client.chat.completions.create({
        model: 'openai/retry-me',
        messages: HELLO,
      });
      expect(res.choices[0].message.content).toBeTruthy();
      expect(openai.requests).toHaveLength(3);
    });

    it('gives up after the budget and returns the last failure as it came', async () => {
      // (its own model: the failures of the tests above would have opened retry-me's circuit)
      openai.enqueue(status(503), status(529), status(502));
      const res = await post({ model: 'openai/budget', messages: HELLO });
      expect(res.status).toBe(502);
      expect(openai.requests).toHaveLength(3);
      const row = await rowFor(res.headers.get('x-request-id'));
      expect(row).toMatchObject({ status_code: 502, attempts: 3 });
    });

    it('returns a 400 at once: no retry, no fallback', async () => {
      openai.enqueue({
        status: 400,
        json: jsonFixture('openai/error-400-unsupported-parameter.json'),
      });
      const res = await post({ model: 'smart', messages: HELLO });
      expect(res.status).toBe(400);
      expect(openai.requests).toHaveLength(1);
      expect(anthropic.requests).toHaveLength(0);
      expect(gemini.requests).toHaveLength(0);
      expect((await rowFor(res.headers.get('x-request-id'))).attempts).toBe(1);
    });
  });

  describe('timeouts per target', () => {
    it('an upstream stalled before its headers is a first_byte_timeout, retried', async () => {
      openai.enqueue(...times(3, { ...openaiJson(), delayMs: 2_000 }));
      const started = Date.now();
      const res = await post({ model: 'openai/gpt-4o', messages: HELLO });
      expect(res.status).toBe(504);
      expect((await bodyOf(res)).error).toMatchObject({
        type: 'timeout_error',
        code: 'first_byte_timeout',
      });
      expect(Date.now() - started).toBeLessThan(1_800);
      expect(openai.requests).toHaveLength(3);
    });

    it('a slow first token is retried before the stream is committed', async () => {
      openai.enqueue(openaiStream({ firstFrameDelayMs: 2_000 }), openaiStream());
      const stream = await client.chat.completions.create({
        model: 'openai/gpt-4o',
        messages: HELLO,
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      expect(text).toBeTruthy();
      expect(openai.requests).toHaveLength(2);
    });

    it('a stream stalled mid-way gets an idle_timeout event and is never retried', async () => {
      openai.enqueue(openaiStream({ stallAfterFrames: 2 }), openaiStream());
      const res = await post({ model: 'openai/gpt-4o', messages: HELLO, stream: true });
      expect(res.status).toBe(200);
      const text = await res.text();
      const events = text.split('\n\n').filter((e) => e.startsWith('data: '));
      expect(events.length).toBeGreaterThanOrEqual(3);
      expect(JSON.parse(events.at(-1)!.slice(6)).error).toMatchObject({ code: 'idle_timeout' });
      expect(openai.requests).toHaveLength(1);
      const row = await rowFor(res.headers.get('x-request-id'));
      expect(row).toMatchObject({ partial: true, attempts: 1, error_code: 'idle_timeout' });
    });

    it('a stream dropped after its first bytes ends with an error event, no retry', async () => {
      openai.enqueue(openaiStream({ dropAfterFrames: 2 }), openaiStream());
      const res = await post({ model: 'openai/retry-me', messages: HELLO, stream: true });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('"error"');
      expect(openai.requests).toHaveLength(1);
    });
  });

  describe('fallbacks across provider types', () => {
    it('OpenAI → Anthropic → Gemini, non-streamed: Gemini serves and is named', async () => {
      openai.enqueue(...times(3, status(503)));
      anthropic.enqueue(
        ...times(3, { status: 529, json: jsonFixture('anthropic/error-529-overloaded.json') }),
      );
      gemini.enqueue(geminiJson());
      const { data, response } = await client.chat.completions
        .create({ model: 'smart', messages: HELLO })
        .withResponse();
      expect(providerOf(data)).toBe('gemini');
      expect(data.model).toBe('gemini-2.5-flash');
      expect(anthropic.lastRequest().path).toBe('/v1/messages');
      expect(gemini.lastRequest().path).toContain('gemini-2.5-flash:generateContent');
      const row = await rowFor(response.headers.get('x-request-id'));
      expect(row).toMatchObject({
        status_code: 200,
        provider: 'gemini',
        model: 'gemini-2.5-flash',
        requested_model: 'smart',
        attempts: 7,
      });
      expect(row.total_tokens).toBeGreaterThan(0);
    });

    it('OpenAI → Anthropic → Gemini, streamed; a long retry-after moves on at once', async () => {
      openai.enqueue(status(429, { 'retry-after': '30' }));
      anthropic.enqueue({
        status: 429,
        headers: { 'retry-after': '60' },
        json: jsonFixture('anthropic/error-429-rate-limit.json'),
      });
      gemini.enqueue({ frames: sseFrames(fixture('gemini/stream-text.sse')) });
      const started = Date.now();
      const stream = await client.chat.completions.create({
        model: 'smart-stream',
        messages: HELLO,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      const models = new Set<string>();
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        models.add(chunk.model);
      }
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(text).toBe('The gate opens at six and closes at ten.');
      expect([...models]).toEqual(['gemini-2.5-flash']);
      expect(gemini.lastRequest().path).toContain(':streamGenerateContent?alt=sse');
      expect([openai.requests.length, anthropic.requests.length]).toEqual([1, 1]);
    });

    it('never serves a fallback the key may not use', async () => {
      const created = await admin('POST', '/admin/keys', {
        name: 'no-anthropic',
        models: ['openai/*', 'gemini/*'],
      });
      const { key } = (await created.json()) as { key: string };
      const narrow = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
      openai.enqueue(...times(3, status(500)));
      anthropic.enqueue(...times(3, { json: jsonFixture('anthropic/message-text.json') }));
      gemini.enqueue(geminiJson());
      const res = await narrow.chat.completions.create({ model: 'smart-key', messages: HELLO });
      expect(providerOf(res)).toBe('gemini');
      expect(anthropic.requests).toHaveLength(0);
    });

    it('refuses with the primary failure when every fallback is refused to the key', async () => {
      const created = await admin('POST', '/admin/keys', {
        name: 'openai-only',
        models: ['openai/*'],
      });
      const { key } = (await created.json()) as { key: string };
      openai.enqueue(...times(3, status(503)));
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'smart-key', messages: HELLO }),
      });
      expect(res.status).toBe(503);
      expect(anthropic.requests).toHaveLength(0);
      expect(gemini.requests).toHaveLength(0);
    });
  });

  describe('circuit breaker', () => {
    it('opens on a failing target, which is then skipped at once and shown in /metrics', async () => {
      openai.on('POST', '/v1/chat/completions', status(500));
      gemini.on('POST', '/v1beta/models/gemini-2.5-flash:generateContent', geminiJson());
      const serve = () =>
        client.chat.completions.create({ model: 'openai/flaky', messages: HELLO });

      expect(providerOf(await serve())).toBe('gemini'); // 3 failures
      expect(providerOf(await serve())).toBe('gemini'); // 2 more: 5 of 5, the circuit opens
      expect(openai.requests).toHaveLength(5);

      const { data, response } = await serve().withResponse();
      expect(providerOf(data)).toBe('gemini');
      expect(openai.requests).toHaveLength(5); // skipped, no attempt
      expect((await rowFor(response.headers.get('x-request-id'))).attempts).toBe(1);

      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      expect(metrics).toContain('tollgate_circuit_state{provider="openai",model="flaky"} 2');
      expect(metrics).toContain(
        'tollgate_circuit_state{provider="gemini",model="gemini-2.5-flash"} 0',
      );
    });
  });
});

describe('load shedding (TOLLGATE_MAX_INFLIGHT)', () => {
  let upstream: StandInUpstream;
  let gw: RunningGateway;

  beforeAll(async () => {
    upstream = await StandInUpstream.start();
    gw = await startGateway({
      OPENAI_API_KEY: 'sk-openai-upstream-0000000000',
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      OPENAI_MODELS: 'gpt-4o-mini',
      TOLLGATE_MAX_INFLIGHT: '1',
      METRICS_PUBLIC: 'true',
    });
  });
  afterAll(async () => {
    await gw?.close();
    await upstream?.stop();
  });

  it('refuses beyond the bound at once with 503 overloaded and retry-after, health unaffected', async () => {
    upstream.enqueue({ ...openaiJson(), delayMs: 600 }, openaiJson());
    const call = (): Promise<Response> =>
      fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: HELLO }),
      });
    const slow = call();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const started = Date.now();
    const shed = await call();
    expect(Date.now() - started).toBeLessThan(300);
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect((await bodyOf(shed)).error).toMatchObject({
      type: 'service_unavailable_error',
      code: 'overloaded',
    });
    for (const path of ['/health', '/ready', '/metrics']) {
      expect((await fetch(`${gw.url}${path}`)).status).toBe(200);
    }
    expect((await slow).status).toBe(200);
    expect((await call()).status).toBe(200); // the slot was given back
    expect(upstream.requests).toHaveLength(2);
  });
});
