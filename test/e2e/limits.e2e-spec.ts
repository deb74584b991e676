import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { worstCaseNanos } from '../../src/limits/worst-case-cost.js';
import { Pricing } from '../../src/usage/pricing.js';
import { estimatePromptTokens } from '../../src/usage/token-estimate.js';
import { UsageRecorder } from '../../src/usage/usage-recorder.service.js';
import { createTestSchema, describeWith, type TestSchema } from '../support/external-services.js';
import { fixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { sseFrames, StandInUpstream } from '../support/stand-in-upstream.js';

const PROMPT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

async function chat(gw: RunningGateway, key: string, extra: object = {}): Promise<Reply> {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...PROMPT, ...extra }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // an event stream
  }
  return { status: res.status, headers: res.headers, body };
}

async function admin(gw: RunningGateway, method: string, path: string, body?: unknown) {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** Waits until the current UTC minute has room for a test of `seconds`. */
async function awayFromMinuteEdge(seconds: number): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 60_000 - seconds * 1000) {
    await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 50));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** A Redis of this test's own, to kill and bring back. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const { Redis } = await import('ioredis');
  for (let i = 0; i < 100; i++) {
    const c = new Redis({
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await c.connect();
      await c.ping();
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      c.disconnect();
    }
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

/** The stand-in answers with `max_tokens` completion tokens and a fixed prompt count. */
function upstreamAnswering(upstream: StandInUpstream, promptTokens: number, delayMs = 0): void {
  upstream.on('POST', '/v1/chat/completions', (req) => {
    if (req.body?.stream) {
      return {
        frames: sseFrames(fixture('openai/chat-stream-text-usage.sse')),
        frameDelayMs: 60,
      };
    }
    const completion = req.body?.max_tokens ?? 8;
    return {
      delayMs,
      json: {
        id: 'chatcmpl-limits',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o-mini',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' },
        ],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completion,
          total_tokens: promptTokens + completion,
        },
      },
    };
  });
}

const pricing = new Pricing([
  { name: 'openai', type: 'openai', baseUrl: 'https://api.openai.com/v1' },
]);
const PRICE = pricing.priceFor('openai', 'gpt-4o-mini')!;

async function recordedSpendUsd(gws: RunningGateway[], query: string): Promise<number> {
  for (const gw of gws) await gw.app.get(UsageRecorder).flush();
  const log = await admin(gws[0], 'GET', `/admin/usage/log?limit=1000&${query}`);
  return log.body.data.reduce(
    (sum: number, e: { cost_usd: number | null }) => sum + (e.cost_usd ?? 0),
    0,
  );
}

describeWith('postgres', 'limits and budgets across replicas', (databaseUrl) => {
  describeWith('redis', 'with Redis', (redisUrl) => {
    let schema: TestSchema;
    let upstream: StandInUpstream;
    let a: RunningGateway;
    let b: RunningGateway;
    let env: Record<string, string>;

    beforeAll(async () => {
      schema = await createTestSchema(databaseUrl);
      upstream = await StandInUpstream.start();
      env = {
        DATABASE_URL: schema.url,
        REDIS_URL: redisUrl,
        TOLLGATE_REDIS_PREFIX: `tg-test-${process.pid}-${randomBytes(4).toString('hex')}:`,
        OPENAI_API_KEY: 'sk-up-000000000000',
        OPENAI_BASE_URL: `${upstream.url}/v1`,
        OPENAI_MODELS: 'gpt-4o-mini',
        LOG_LEVEL: 'warn',
      };
      a = await startGateway(env);
      b = await startGateway(env);
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await upstream?.stop();
      await schema?.drop();
    });
    beforeEach(() => {
      upstream.reset();
      upstreamAnswering(upstream, 20);
    });

    it('rpm 5: six requests alternating replicas give five 200 and one 429 with headers', async () => {
      await awayFromMinuteEdge(10);
      const k = (await admin(a, 'POST', '/admin/keys', { name: 'rpm', rpm: 5 })).body;
      const replies: Reply[] = [];
      for (let i = 0; i < 6; i++) replies.push(await chat(i % 2 ? b : a, k.key));
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
      expect(replies.map((r) => r.headers.get('x-ratelimit-remaining-requests'))).toEqual([
        '4',
        '3',
        '2',
        '1',
        '0',
        '0',
      ]);
      expect(replies[0].headers.get('x-ratelimit-limit-requests')).toBe('5');
      expect(replies[0].headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?m?s$/);
      const refused = replies[5];
      expect(refused.body.error).toMatchObject({
        type: 'rate_limit_error',
        code: 'rate_limit_exceeded',
      });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      // Five reached the upstream; the refusal has its usage row (429) and no upstream call.
      expect(upstream.requests).toHaveLength(5);
      for (const gw of [a, b]) await gw.app.get(UsageRecorder).flush();
      const log = await admin(a, 'GET', `/admin/usage/log?key_id=${k.id}`);
      expect(log.body.data.map((e: { status_code: number }) => e.status_code).sort()).toEqual([
        200, 200, 200, 200, 200, 429,
      ]);
      // A key without limits gets no rate-limit headers.
      const free = (await admin(a, 'POST', '/admin/keys', { name: 'free' })).body;
      expect((await chat(a, free.key)).headers.get('x-ratelimit-limit-requests')).toBeNull();
    });

    it('a budget that fits three requests, hit by 50 concurrent ones on two replicas, is never overspent', async () => {
      upstream.reset();
      upstreamAnswering(upstream, 20, 150);
      const body = { ...PROMPT, max_tokens: 1000 };
      const reservation = worstCaseNanos(await estimatePromptTokens(body), 1000, PRICE);
      const realCost = worstCaseNanos(20, 1000, PRICE);
      const budgetNanos = 3n * reservation + reservation / 2n;
      const k = (
        await admin(a, 'POST', '/admin/keys', {
          name: 'budget',
          budget_usd: Number(budgetNanos) / 1e9,
          budget_period: 'monthly',
        })
      ).body;
      const replies = await Promise.all(
        Array.from({ length: 50 }, (_v, i) => chat(i % 2 ? b : a, k.key, { max_tokens: 1000 })),
      );
      const ok = replies.filter((r) => r.status === 200);
      const refused = replies.filter((r) => r.status !== 200);
      expect(ok).toHaveLength(3);
      for (const r of refused) {
        expect([r.status, r.body.error.type, r.body.error.code]).toEqual([
          429,
          'insufficient_quota',
          'insufficient_quota',
        ]);
      }
      const spent = await recordedSpendUsd([a, b], `key_id=${k.id}`);
      const slack = realCost > reservation ? realCost - reservation : 0n;
      expect(spent).toBeLessThanOrEqual(Number(budgetNanos + slack) / 1e9 + 1e-12);
      expect(spent).toBeGreaterThan(0);
    });

    it('max_parallel 2: of 10 concurrent slow streams two run, and a slot frees when a stream ends', async () => {
      const k = (await admin(a, 'POST', '/admin/keys', { name: 'parallel', max_parallel: 2 })).body;
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_v, i) => chat(i % 2 ? b : a, k.key, { stream: true })),
      );
      expect(replies.filter((r) => r.status === 200)).toHaveLength(2);
      for (const r of replies.filter((x) => x.status !== 200)) {
        expect([r.status, r.body.error.code]).toEqual([429, 'rate_limit_exceeded']);
      }
      for (const r of replies.filter((x) => x.status === 200)) expect(r.body).toContain('[DONE]');
      // Both streams ended: their slots are free again, on either replica.
      await new Promise((r) => setTimeout(r, 100));
      const again = await Promise.all([
        chat(a, k.key, { stream: true }),
        chat(b, k.key, { stream: true }),
      ]);
      expect(again.map((r) => r.status)).toEqual([200, 200]);
    });

    it('a stream the client aborts gives its slot back', async () => {
      const k = (await admin(a, 'POST', '/admin/keys', { name: 'abort', max_parallel: 1 })).body;
      const ac = new AbortController();
      const res = await fetch(`${a.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${k.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...PROMPT, stream: true }),
        signal: ac.signal,
      });
      expect(res.status).toBe(200);
      expect((await chat(b, k.key)).status).toBe(429); // the stream holds the slot
      ac.abort();
      await new Promise((r) => setTimeout(r, 200));
      expect((await chat(b, k.key)).status).toBe(200);
    });

    it("a team's limit is shared by its keys, its allowlist applies, and it cannot be deleted while it has keys", async () => {
      await awayFromMinuteEdge(10);
      const team = (
        await admin(a, 'POST', '/admin/teams', { name: 'search', rpm: 3, models: ['openai/*'] })
      ).body;
      expect(team).toMatchObject({ object: 'team', name: 'search', rpm: 3 });
      const k1 = (await admin(a, 'POST', '/admin/keys', { name: 'k1', team_id: team.id })).body;
      const k2 = (await admin(b, 'POST', '/admin/keys', { name: 'k2', team_id: team.id })).body;
      const statuses = [];
      for (const [gw, k] of [
        [a, k1],
        [b, k2],
        [a, k2],
        [b, k1],
      ] as const) {
        statuses.push((await chat(gw, k.key)).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect((await admin(a, 'DELETE', `/admin/teams/${team.id}`)).status).toBe(409);
      // The team's allowlist applies on every replica within a second of a change.
      expect(
        (await admin(a, 'PATCH', `/admin/teams/${team.id}`, { models: ['anthropic/*'], rpm: null }))
          .status,
      ).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      const denied = await chat(b, k1.key);
      expect([denied.status, denied.body.error.code]).toEqual([403, 'model_not_allowed']);
      // Usage rows carry the team; the summary totals per team with its name.
      for (const gw of [a, b]) await gw.app.get(UsageRecorder).flush();
      const log = await admin(a, 'GET', `/admin/usage/log?team_id=${team.id}`);
      expect(log.body.total).toBe(5);
      const summary = await admin(a, 'GET', '/admin/usage/summary?group_by=team');
      expect(summary.body.data).toContainEqual(
        expect.objectContaining({ group: { team_id: team.id, team_name: 'search' }, requests: 5 }),
      );
      const teams = await admin(a, 'GET', '/admin/teams');
      expect(teams.body.data.find((t: { id: string }) => t.id === team.id)).toMatchObject({
        spend_usd: expect.any(Number),
      });
      // Keys moved out: the team can go.
      for (const k of [k1, k2]) {
        expect(
          (await admin(a, 'PATCH', `/admin/keys/${k.id}`, { team_id: null })).body.team_id,
        ).toBeNull();
      }
      expect((await admin(a, 'DELETE', `/admin/teams/${team.id}`)).status).toBe(200);
    });

    it('PATCH of a key reaches the other replica within a second', async () => {
      await awayFromMinuteEdge(10);
      const k = (await admin(a, 'POST', '/admin/keys', { name: 'patch' })).body;
      expect((await chat(b, k.key)).status).toBe(200); // B caches the key, without limits
      const patched = await admin(a, 'PATCH', `/admin/keys/${k.id}`, { rpm: 1, name: 'patched' });
      expect(patched.body).toMatchObject({ name: 'patched', rpm: 1 });
      const started = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - started < 1_000) {
        status = (await chat(b, k.key)).status;
      }
      expect(status).toBe(429);
    });

    it('a new gateway on the same database still counts the month’s spend', async () => {
      const body = { ...PROMPT, max_tokens: 1000 };
      const reservation = worstCaseNanos(await estimatePromptTokens(body), 1000, PRICE);
      const k = (
        await admin(a, 'POST', '/admin/keys', {
          name: 'restart',
          budget_usd: Number(3n * reservation + reservation / 2n) / 1e9,
          budget_period: 'monthly',
        })
      ).body;
      for (let i = 0; i < 3; i++)
        expect((await chat(a, k.key, { max_tokens: 1000 })).status).toBe(200);
      // A new gateway with a Redis that has never seen the key (as after a Redis restart),
      // then one without Redis at all: both rebuild the spend from the usage table.
      for (const extra of <Array<Record<string, string>>>[
        { TOLLGATE_REDIS_PREFIX: `tg-test-${process.pid}-${randomBytes(4).toString('hex')}:` },
        { REDIS_URL: '' },
      ]) {
        await a.app.get(UsageRecorder).flush();
        const fresh = await startGateway({ ...env, ...extra });
        try {
          const r = await chat(fresh, k.key, { max_tokens: 1000 });
          expect([r.status, r.body.error?.code]).toEqual([429, 'insufficient_quota']);
        } finally {
          await fresh.close();
        }
      }
    });
  });

  describe('when Redis goes away', () => {
    let schema: TestSchema;
    let upstream: StandInUpstream;
    beforeAll(async () => {
      schema = await createTestSchema(databaseUrl);
      upstream = await StandInUpstream.start();
      upstreamAnswering(upstream, 20);
    });
    afterAll(async () => {
      await upstream?.stop();
      await schema?.drop();
    });

    async function scenario(failMode: 'open' | 'closed') {
      const port = await freePort();
      let redis = await startRedis(port);
      const gw = await startGateway({
        DATABASE_URL: schema.url,
        REDIS_URL: `redis://127.0.0.1:${port}`,
        TOLLGATE_LIMITS_FAIL: failMode,
        OPENAI_API_KEY: 'sk-up-000000000000',
        OPENAI_BASE_URL: `${upstream.url}/v1`,
        OPENAI_MODELS: 'gpt-4o-mini',
        LOG_LEVEL: 'info',
      });
      return {
        gw,
        kill: () => {
          redis.kill('SIGKILL');
        },
        revive: async () => {
          redis = await startRedis(port);
        },
        close: async () => {
          await gw.close();
          redis.kill('SIGKILL');
        },
      };
    }

    const ready = async (gw: RunningGateway) =>
      (await fetch(`${gw.url}/ready`)).json() as Promise<any>;
    const gauge = async (gw: RunningGateway) => {
      const text = await (
        await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${MASTER_KEY}` } })
      ).text();
      return /^tollgate_limits_local (\d)/m.exec(text)?.[1];
    };

    it('fail-open: keeps serving with per-process limits, says so, and goes back to Redis', async () => {
      await awayFromMinuteEdge(20);
      const s = await scenario('open');
      try {
        const k = (await admin(s.gw, 'POST', '/admin/keys', { name: 'open', rpm: 2 })).body;
        expect((await ready(s.gw)).limits).toBe('redis');
        expect([(await chat(s.gw, k.key)).status, (await chat(s.gw, k.key)).status]).toEqual([
          200, 200,
        ]);
        expect((await chat(s.gw, k.key)).status).toBe(429);
        s.kill();
        await new Promise((r) => setTimeout(r, 200));
        // Per process now: a fresh count, still enforced.
        const local = [];
        for (let i = 0; i < 3; i++) local.push((await chat(s.gw, k.key)).status);
        expect(local).toEqual([200, 200, 429]);
        expect((await ready(s.gw)).limits).toBe('local');
        expect(await gauge(s.gw)).toBe('1');
        expect(s.gw.logs.some((l) => String(l.msg).startsWith('limits: redis unreachable'))).toBe(
          true,
        );
        await s.revive();
        const started = Date.now();
        while ((await ready(s.gw)).limits !== 'redis' && Date.now() - started < 10_000) {
          await new Promise((r) => setTimeout(r, 100));
        }
        expect((await ready(s.gw)).limits).toBe('redis');
        expect(await gauge(s.gw)).toBe('0');
        // The new Redis knows nothing: shared counting starts again there.
        expect((await chat(s.gw, k.key)).status).toBe(200);
      } finally {
        await s.close();
      }
    }, 30_000);

    it('fail-closed: refuses limited keys with 503, serves the others', async () => {
      const s = await scenario('closed');
      try {
        const limited = (await admin(s.gw, 'POST', '/admin/keys', { name: 'closed', rpm: 100 }))
          .body;
        const free = (await admin(s.gw, 'POST', '/admin/keys', { name: 'free' })).body;
        expect((await chat(s.gw, limited.key)).status).toBe(200);
        s.kill();
        await new Promise((r) => setTimeout(r, 200));
        const refused = await chat(s.gw, limited.key);
        expect([refused.status, refused.body.error.code]).toEqual([503, 'service_unavailable']);
        expect((await chat(s.gw, free.key)).status).toBe(200);
        expect((await ready(s.gw)).limits).toBe('local');
      } finally {
        await s.close();
      }
    }, 30_000);
  });
});
