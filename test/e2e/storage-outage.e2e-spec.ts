import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema, describeWith, type TestSchema } from '../support/external-services.js';
import { jsonFixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { sleep, StandInUpstream } from '../support/stand-in-upstream.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * The gateway's own database goes away: keys seen before keep working (past the 5 s key
 * cache), unknown keys and admin calls get 503 `service_unavailable`, a failed key
 * creation is never named an upstream error, and nothing answers 500.
 */
const KEY_CACHE_TTL_MS = 5_000;

let upstream: StandInUpstream;
let dir: string;
const upstreamEnv = (): Record<string, string> => ({
  OPENAI_API_KEY: 'sk-up-000000000000',
  OPENAI_BASE_URL: `${upstream.url}/v1`,
  OPENAI_MODELS: 'gpt-4o-mini',
  LOG_LEVEL: 'fatal',
});

beforeAll(async () => {
  upstream = await StandInUpstream.start();
  upstream.on('POST', '/v1/chat/completions', { json: jsonFixture('openai/chat-completion.json') });
  dir = mkdtempSync(join(tmpdir(), 'tollgate-storage-outage-'));
});
afterAll(async () => {
  await upstream.stop();
  rmSync(dir, { recursive: true, force: true });
});

const chat = (gw: RunningGateway, key: string): Promise<Response> =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });

const admin = (gw: RunningGateway, method: string, path: string, body?: unknown) =>
  fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const createKey = async (gw: RunningGateway, name: string): Promise<string> => {
  const res = await admin(gw, 'POST', '/admin/keys', { name });
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
};

/** A 503 `service_unavailable` envelope that does not blame an upstream. */
const expectUnavailable = async (res: Response): Promise<void> => {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status: 503 });
  const { error } = JSON.parse(text) as { error: Record<string, unknown> };
  expect(error).toMatchObject({ code: 'service_unavailable', type: 'service_unavailable_error' });
  expect(String(error.message)).not.toMatch(/upstream|provider/i);
};

describeWith('postgres', 'PostgreSQL unreachable (connection cut by a proxy)', (url) => {
  let schema: TestSchema;
  let proxy: TcpProxy;
  let gw: RunningGateway;

  beforeAll(async () => {
    schema = await createTestSchema(url);
    const target = new URL(url);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(schema.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    gw = await startGateway({ ...upstreamEnv(), DATABASE_URL: viaProxy.toString() });
  });
  afterAll(async () => {
    proxy?.restore();
    await gw?.close();
    await proxy?.stop();
    await schema?.drop();
  });

  it('serves keys seen before, refuses unknown keys and admin calls with 503, never 500 or 502', async () => {
    const seen = await createKey(gw, 'seen');
    const unseen = await createKey(gw, 'unseen');
    expect((await chat(gw, seen)).status).toBe(200);

    proxy.cut();
    await sleep(KEY_CACHE_TTL_MS + 200); // the seen key's cache entry has expired
    for (let i = 0; i < 3; i++) {
      const res = await chat(gw, seen);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    await expectUnavailable(await chat(gw, unseen));
    await expectUnavailable(await admin(gw, 'POST', '/admin/keys', { name: 'during' }));
    await expectUnavailable(await admin(gw, 'GET', '/admin/keys'));
    await expectUnavailable(await admin(gw, 'DELETE', '/admin/keys/key_whatever'));
    await expectUnavailable(await admin(gw, 'GET', '/admin/usage/log'));
    await expectUnavailable(await admin(gw, 'GET', '/admin/usage/summary'));
    // A made-up token is still just wrong, whatever the database.
    expect((await chat(gw, 'sk-not-a-managed-key')).status).toBe(401);

    proxy.restore();
    // The unseen key works once the database answers again (after the 1 s retry pause).
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await chat(gw, unseen)).status;
      if (status !== 200) await sleep(100);
    }
    expect(status).toBe(200);
    expect((await admin(gw, 'GET', '/admin/keys')).status).toBe(200);
  }, 30_000);
});

describe('SQLite locked by another writer', () => {
  let gw: RunningGateway;
  let locker: BetterSqlite3.Database | undefined;
  const file = (): string => join(dir, 'locked.db');

  beforeAll(async () => {
    gw = await startGateway({ ...upstreamEnv(), DATABASE_URL: `sqlite:${file()}` });
  });
  afterAll(async () => {
    locker?.close();
    await gw?.close();
  });

  it('answers key creation with 503, not 500, while writes cannot get the lock', async () => {
    const key = await createKey(gw, 'before');
    locker = new BetterSqlite3(file());
    locker.exec('BEGIN EXCLUSIVE');
    try {
      await expectUnavailable(await admin(gw, 'POST', '/admin/keys', { name: 'during' }));
      expect((await chat(gw, key)).status).toBe(200);
    } finally {
      locker.exec('COMMIT');
      locker.close();
      locker = undefined;
    }
    expect((await admin(gw, 'POST', '/admin/keys', { name: 'after' })).status).toBe(201);
  });
});
