import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonFixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { StandInUpstream } from '../support/stand-in-upstream.js';
import { UsageRecorder } from '../../src/usage/usage-recorder.service.js';

/**
 * One sample's value from a Prometheus text scrape, by metric name and exact label set
 * (in any order); undefined when the series is absent.
 */
function sample(
  body: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of body.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').match(/\w+="(?:[^"\\]|\\.)*"/g) ?? [];
    if (have.sort().join(',') === want) return Number(m[3]);
  }
  return undefined;
}

describe('/metrics counts every request, by bounded labels', () => {
  let upstream: StandInUpstream;
  let gw: RunningGateway;
  const auth = { authorization: `Bearer ${MASTER_KEY}` };
  const chat = (model = 'gpt-4o-mini', headers: Record<string, string> = auth) =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
  const scrape = async () => (await fetch(`${gw.url}/metrics`, { headers: auth })).text();

  // One try per request, so each failure below is one upstream error of its class.
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-metrics-'));
  const configFile = join(dir, 'tollgate.yaml');
  writeFileSync(configFile, 'retries: 0\n');

  beforeAll(async () => {
    upstream = await StandInUpstream.start();
    gw = await startGateway({
      TOLLGATE_CONFIG: configFile,
      OPENAI_API_KEY: 'sk-upstream-key-0000000000',
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      OPENAI_MODELS: 'gpt-4o-mini',
      // Port 9 (discard) has no listener: every call to this provider is unreachable.
      GROQ_API_KEY: 'gsk_upstream-key-000000000',
      GROQ_BASE_URL: 'http://127.0.0.1:9/v1',
      GROQ_MODELS: 'llama-3.1-8b-instant',
      TOLLGATE_TIMEOUT_MS: '1000',
    });
  });
  afterAll(async () => {
    await gw.close();
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the standard process metric names', async () => {
    const body = await scrape();
    expect(body).toContain('# TYPE process_cpu_seconds_total counter');
    expect(body).toContain('# TYPE nodejs_heap_size_used_bytes gauge');
    expect(body).not.toContain('tollgate_process_');
  });

  it("counts the gateway's own refusals with provider none, by matched route", async () => {
    expect((await chat('gpt-4o-mini', {})).status).toBe(401);
    expect((await fetch(`${gw.url}/no/such/route`, { headers: auth })).status).toBe(404);
    expect((await chat('no-such-model')).status).toBe(404);
    const body = await scrape();
    const refused = (route: string, status: string) =>
      sample(body, 'tollgate_requests_total', {
        route,
        provider: 'none',
        model: 'none',
        status,
        stream: 'false',
      });
    expect(refused('/v1/chat/completions', '401')).toBe(1);
    expect(refused('other', '404')).toBe(1);
    expect(refused('/v1/chat/completions', '404')).toBe(1);
    // The request path itself never becomes a label value.
    expect(body).not.toContain('/no/such/route');
  });

  it('records cost, GenAI token usage and duration for a completed request', async () => {
    upstream.enqueue({ json: jsonFixture('openai/chat-completion.json') });
    expect((await chat()).status).toBe(200);
    const body = await scrape();
    const genAi = {
      gen_ai_operation_name: 'chat',
      gen_ai_provider_name: 'openai',
      gen_ai_request_model: 'gpt-4o-mini',
    };
    const tokens = (type: string) =>
      sample(body, 'gen_ai_client_token_usage_sum', { ...genAi, gen_ai_token_type: type });
    expect([tokens('input'), tokens('output')]).toEqual([24, 8]);
    expect(sample(body, 'gen_ai_server_request_duration_count', genAi)).toBe(1);
    expect(
      sample(body, 'tollgate_requests_total', {
        route: '/v1/chat/completions',
        provider: 'openai',
        model: 'gpt-4o-mini',
        status: '200',
        stream: 'false',
      }),
    ).toBe(1);

    // The counter adds up what the usage log recorded as the row's cost.
    await gw.app.get(UsageRecorder).flush();
    const log = (await (await fetch(`${gw.url}/admin/usage/log`, { headers: auth })).json()) as {
      data: Array<{ provider: string | null; cost_usd: string | number | null }>;
    };
    const row = log.data.find((r) => r.provider === 'openai');
    const cost = sample(await scrape(), 'tollgate_cost_usd_total', {
      provider: 'openai',
      model: 'gpt-4o-mini',
    });
    expect(cost).toBeGreaterThan(0);
    expect(cost).toBeCloseTo(Number(row?.cost_usd), 12);
  });

  it('adds cost by key and team, matching the usage rows', async () => {
    const admin = (path: string, body: unknown) =>
      fetch(`${gw.url}${path}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => {
        expect(r.status).toBe(201);
        return (await r.json()) as { id: string; key?: string };
      });
    const team = await admin('/admin/teams', { name: 'metrics-team' });
    const key = await admin('/admin/keys', { name: 'metrics-key', team_id: team.id });
    for (let i = 0; i < 2; i++) {
      upstream.enqueue({ json: jsonFixture('openai/chat-completion.json') });
      expect((await chat('gpt-4o-mini', { authorization: `Bearer ${key.key}` })).status).toBe(200);
    }
    upstream.enqueue({ json: jsonFixture('openai/chat-completion.json') });
    expect((await chat()).status).toBe(200);

    await gw.app.get(UsageRecorder).flush();
    const spent = async (query: string) => {
      const r = await fetch(`${gw.url}/admin/usage/log?${query}`, { headers: auth });
      const log = (await r.json()) as {
        data: Array<{ key_id: string | null; cost_usd: string | number | null }>;
      };
      return log.data;
    };
    const keyRows = await spent(`key_id=${key.id}`);
    expect(keyRows).toHaveLength(2);
    const keyCost = keyRows.reduce((sum, r) => sum + Number(r.cost_usd), 0);
    const masterCost = (await spent('limit=1000'))
      .filter((r) => r.key_id === null)
      .reduce((sum, r) => sum + Number(r.cost_usd), 0);
    const body = await scrape();
    const byKey = sample(body, 'tollgate_key_cost_usd_total', { key_id: key.id, team_id: team.id });
    expect(byKey).toBeGreaterThan(0);
    expect(byKey).toBeCloseTo(keyCost, 12);
    const byMaster = sample(body, 'tollgate_key_cost_usd_total', {
      key_id: 'master',
      team_id: 'none',
    });
    expect(byMaster).toBeCloseTo(masterCost, 12);
  });

  it('counts upstream failures by class', async () => {
    upstream.enqueue({ status: 500, json: { error: { message: 'boom', type: 'server_error' } } });
    expect((await chat()).status).toBe(500);
    upstream.enqueue({
      status: 400,
      json: jsonFixture('openai/error-400-unsupported-parameter.json'),
    });
    expect((await chat()).status).toBe(400);
    upstream.enqueue({ body: 'this is not json', headers: { 'content-type': 'application/json' } });
    expect((await chat()).status).toBe(502);
    upstream.enqueue({ delayMs: 2000, json: jsonFixture('openai/chat-completion.json') });
    expect((await chat()).status).toBe(504);
    expect((await chat('llama-3.1-8b-instant')).status).toBe(502);

    const body = await scrape();
    const errors = (provider: string, cls: string) =>
      sample(body, 'tollgate_upstream_errors_total', { provider, class: cls });
    expect(errors('openai', '5xx')).toBe(1);
    expect(errors('openai', '4xx')).toBe(1);
    expect(errors('openai', 'invalid_response')).toBe(1);
    expect(errors('openai', 'timeout')).toBe(1);
    expect(errors('groq', 'unreachable')).toBe(1);
    expect(errors('groq', 'timeout')).toBeUndefined();
  });

  it('shows the requests in flight, the scrape itself included', async () => {
    upstream.enqueue({ delayMs: 700, json: jsonFixture('openai/chat-completion.json') });
    const slow = chat();
    await new Promise((r) => setTimeout(r, 250));
    expect(sample(await scrape(), 'tollgate_inflight_requests', {})).toBe(2);
    expect((await slow).status).toBe(200);
    expect(sample(await scrape(), 'tollgate_inflight_requests', {})).toBe(1);
  });
});
