import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { KeyRepository } from '../../src/auth/key.repository.js';
import { fixture, jsonFixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { sseFrames, StandInUpstream } from '../support/stand-in-upstream.js';

/**
 * What one tenant's managed key can cost everyone else: series in /metrics, database
 * queries for made-up tokens, and what the overhead measurement says about streams.
 */
let upstream: StandInUpstream;
let gw: RunningGateway;
let open: RunningGateway;
let tenantKey: string;

const post = (base: string, key: string, body: unknown): Promise<Response> =>
  fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const metricsText = async (base: string, key = MASTER_KEY): Promise<string> => {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  return res.text();
};
/** Series of the gateway's own metrics (process metrics excluded). */
const tollgateSeries = (text: string): string[] =>
  text.split('\n').filter((l) => /^tollgate_(?!process_)/.test(l));

beforeAll(async () => {
  upstream = await StandInUpstream.start();
  upstream.on('POST', '/v1/chat/completions', { json: jsonFixture('openai/chat-completion.json') });
  const env = {
    OPENAI_API_KEY: 'sk-up-000000000000',
    OPENAI_BASE_URL: `${upstream.url}/v1`,
    OPENAI_MODELS: 'gpt-4o-mini',
  };
  gw = await startGateway(env);
  open = await startGateway({ ...env, METRICS_PUBLIC: 'true' });
  const res = await fetch(`${gw.url}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'tenant', models: ['openai/gpt-4o-mini'] }),
  });
  tenantKey = ((await res.json()) as { key: string }).key;
});
afterAll(async () => {
  await gw.close();
  await open.close();
  await upstream.stop();
});

describe('/metrics', () => {
  it('answers a managed key 403 in the error envelope; the master key reads it', async () => {
    const res = await fetch(`${gw.url}/metrics`, {
      headers: { authorization: `Bearer ${tenantKey}` },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({
      type: 'permission_error',
      code: 'master_key_required',
    });
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(401);
    await metricsText(gw.url);
    expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
  });

  it('gets no new series from requests naming models nobody configured', async () => {
    // Refused by the key's allowlist after routing: no upstream call, but provider and model known.
    const refuse = async (i: number) => {
      const res = await post(gw.url, tenantKey, {
        model: `openai/made-up-${i}-${randomBytes(4).toString('hex')}`,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(res.status).toBe(403);
      await res.arrayBuffer();
    };
    await refuse(0);
    const before = tollgateSeries(await metricsText(gw.url));
    for (let i = 1; i <= 300; i++) await refuse(i);
    const after = tollgateSeries(await metricsText(gw.url));
    const names = (lines: string[]) => lines.map((l) => l.slice(0, l.lastIndexOf(' ')));
    expect(names(after)).toEqual(names(before));
    expect(after.join('\n')).not.toContain('made-up');
    expect(after.join('\n')).toMatch(/tollgate_requests_total\{[^}]*model="other",status="403"/);
  });
});

describe('unknown tg- tokens', () => {
  it('cost one query each at most, and a token no key can be costs none', async () => {
    const findByHash = jest.spyOn(gw.app.get(KeyRepository), 'findByHash');
    try {
      // 32 random bytes, as the gateway makes them: possibly a key, so asked once.
      const plausible = `tg-${randomBytes(32).toString('base64url')}`;
      // (Fewer than the 2 s an unknown token is remembered for can take, even on a busy machine.)
      for (let i = 0; i < 8; i++) expect((await post(gw.url, plausible, {})).status).toBe(401);
      expect(findByHash).toHaveBeenCalledTimes(1);

      // Wrong length, wrong alphabet, or a last character no 32-byte key ends with.
      const malformed = [
        `tg-${'A'.repeat(42)}`,
        `tg-${'A'.repeat(44)}`,
        `tg-${'A'.repeat(42)}!`,
        `tg-${plausible.slice(3, 45)}B`,
      ];
      for (const token of malformed) expect((await post(gw.url, token, {})).status).toBe(401);
      expect(findByHash).toHaveBeenCalledTimes(1);
    } finally {
      findByHash.mockRestore();
    }
  });
});

describe('overhead of a stream', () => {
  it('leaves out the waits for the upstream chunks', async () => {
    const frames = sseFrames(fixture('openai/chat-stream-text-usage.sse'));
    const delay = 60;
    const overheadSum = async (): Promise<number> =>
      Number(
        /tollgate_overhead_seconds_sum\{provider="openai"\} ([\d.e-]+)/.exec(
          await metricsText(gw.url),
        )?.[1] ?? 0,
      ) * 1000;
    const sumBefore = await overheadSum();
    upstream.enqueue({ frames, frameDelayMs: delay });
    const started = performance.now();
    const res = await post(gw.url, MASTER_KEY, {
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status).toBe(200);
    const header = Number(res.headers.get('x-tollgate-overhead-ms'));
    await res.text();
    const duration = performance.now() - started;
    expect(duration).toBeGreaterThan(delay * (frames.length - 1));

    const line = await waitFor(() =>
      gw.logs.find((l) => l.msg === 'request' && l.req_id === res.headers.get('x-request-id')),
    );
    const overhead = line.overhead_ms as number;
    expect(overhead).toBeLessThan(duration / 5);
    expect(header).toBeLessThanOrEqual(overhead + 1);
    // The histogram took the same measurement as the log line.
    expect(Math.abs((await overheadSum()) - sumBefore - overhead)).toBeLessThan(5);
  });
});

async function waitFor<T>(find: () => T | undefined): Promise<NonNullable<T>> {
  for (let i = 0; i < 100; i++) {
    const found = find();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('not found in time');
}
