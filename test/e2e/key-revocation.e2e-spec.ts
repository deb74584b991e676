import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEY_REVOKED_CHANNEL } from '../../src/auth/key.service.js';
import { RedisService } from '../../src/redis/redis.service.js';
import { describeWith } from '../support/external-services.js';
import { jsonFixture } from '../support/fixtures.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';
import { api } from '../support/http.js';
import { StandInUpstream } from '../support/stand-in-upstream.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * Two gateway replicas sharing one database: a key revoked through one must stop
 * working on the other, at once with Redis, within the 5 s cache TTL without it.
 */
async function replicas(
  extraEnv: Record<string, string>,
  extraEnvB: Record<string, string> = {},
): Promise<{
  a: RunningGateway;
  b: RunningGateway;
  upstream: StandInUpstream;
  close(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-replicas-'));
  const upstream = await StandInUpstream.start();
  upstream.on('POST', '/v1/chat/completions', { json: jsonFixture('openai/chat-completion.json') });
  const env = {
    DATABASE_URL: `sqlite:${join(dir, 'shared.db')}`,
    OPENAI_API_KEY: 'sk-up-000000000000',
    OPENAI_BASE_URL: `${upstream.url}/v1`,
    OPENAI_MODELS: 'gpt-4o-mini',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const a = await startGateway(env);
  const b = await startGateway({ ...env, ...extraEnvB });
  return {
    a,
    b,
    upstream,
    close: async () => {
      await a.close();
      await b.close();
      await upstream.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const chat = async (gw: RunningGateway, key: string): Promise<number> => {
  const res = await api(gw, key).chat({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  });
  await res.arrayBuffer();
  return res.status;
};

const admin = async (gw: RunningGateway, method: string, path: string, body?: unknown) => {
  const res = await api(gw).call(method, path, body);
  expect(res.status).toBeLessThan(300);
  return res.body as { id: string; key: string };
};

/** Milliseconds until `gw` refuses `key` (polling), or throws after `limitMs`. */
async function msUntilRefused(gw: RunningGateway, key: string, limitMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    if ((await chat(gw, key)) === 401) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`still accepted after ${limitMs} ms`);
}

describe('key revocation across replicas without Redis', () => {
  it('makes no Redis connection, and the other replica refuses the key within 5 s', async () => {
    const r = await replicas({});
    try {
      expect(() => r.a.app.get(RedisService, { strict: false })).toThrow();
      const k = await admin(r.a, 'POST', '/admin/keys', { name: 'replicated' });
      expect(await chat(r.b, k.key)).toBe(200); // B now holds the key in its cache
      await admin(r.a, 'DELETE', `/admin/keys/${k.id}`);
      expect(await chat(r.a, k.key)).toBe(401); // the revoking replica: at once
      const ms = await msUntilRefused(r.b, k.key, 6_000);
      expect(ms).toBeLessThanOrEqual(5_100);
    } finally {
      await r.close();
    }
  }, 15_000);
});

describeWith('redis', 'key revocation across replicas with Redis', (redisUrl) => {
  it('refuses a revoked key on the other replica at once', async () => {
    const r = await replicas({ REDIS_URL: redisUrl });
    try {
      const k = await admin(r.a, 'POST', '/admin/keys', { name: 'replicated' });
      expect(await chat(r.b, k.key)).toBe(200);
      expect(await chat(r.b, k.key)).toBe(200); // served from B's cache
      await admin(r.a, 'DELETE', `/admin/keys/${k.id}`);
      const ms = await msUntilRefused(r.b, k.key, 2_000);
      expect(ms).toBeLessThan(500);
    } finally {
      await r.close();
    }
  });

  it('starts while Redis is unreachable, and subscribes once it is back', async () => {
    const target = new URL(redisUrl);
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 6379));
    proxy.cut();
    const viaProxy = new URL(redisUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const before = await subscribers(redisUrl);
    // A is the revoking replica (direct); B reaches Redis through the proxy.
    const r = await replicas({ REDIS_URL: redisUrl }, { REDIS_URL: viaProxy.toString() });
    try {
      const k = await admin(r.a, 'POST', '/admin/keys', { name: 'late-redis' });
      expect(await chat(r.b, k.key)).toBe(200); // serving without Redis
      proxy.restore();
      await waitFor(async () => (await subscribers(redisUrl)) >= before + 2, 5_000);
      expect(await chat(r.b, k.key)).toBe(200);
      await admin(r.a, 'DELETE', `/admin/keys/${k.id}`);
      expect(await msUntilRefused(r.b, k.key, 2_000)).toBeLessThan(500);
    } finally {
      await r.close();
      await proxy.stop();
    }
  }, 15_000);

  it('rotation: the other replica takes the old secret through the grace period, then refuses it', async () => {
    const r = await replicas({ REDIS_URL: redisUrl });
    try {
      const k = await admin(r.a, 'POST', '/admin/keys', { name: 'rotated' });
      expect(await chat(r.b, k.key)).toBe(200); // B holds the old secret in its cache
      const rotated = (await admin(r.a, 'POST', `/admin/keys/${k.id}/rotate`, {
        grace_seconds: 1,
      })) as unknown as { key: string; previous_key_expires_at: string };
      const deadline = Date.parse(rotated.previous_key_expires_at);
      expect(await chat(r.b, rotated.key)).toBe(200);
      expect(await chat(r.b, k.key)).toBe(200);
      // B refuses it once the stored deadline passes, not after its own cache expires (5 s).
      await msUntilRefused(r.b, k.key, 3_000);
      expect(Date.now()).toBeGreaterThanOrEqual(deadline);
      expect(Date.now() - deadline).toBeLessThan(500);
      expect(await chat(r.a, k.key)).toBe(401);
      expect(await chat(r.b, rotated.key)).toBe(200);
      expect(await chat(r.a, rotated.key)).toBe(200);
    } finally {
      await r.close();
    }
  }, 15_000);
});

/** Subscribers of the revocation channel, as Redis counts them (all test runs included). */
async function subscribers(url: string): Promise<number> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true });
  try {
    await client.connect();
    const reply = (await client.pubsub('NUMSUB', KEY_REVOKED_CHANNEL)) as [string, number];
    return Number(reply[1]);
  } finally {
    client.disconnect();
  }
}

async function waitFor(check: () => Promise<boolean>, limitMs: number): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
