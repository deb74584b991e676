import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { UsageRecorder } from '../../src/usage/usage-recorder.service.js';
import { createTestSchema, describeWith, type TestSchema } from '../support/external-services.js';
import { jsonFixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { api } from '../support/http.js';
import { StandInUpstream } from '../support/stand-in-upstream.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/** A fresh database on the test server, dropped with `drop()`. */
async function createTestDatabase(baseUrl: string): Promise<TestSchema> {
  const name = `tg_test_db_${process.pid}_${Math.random().toString(16).slice(2, 10)}`;
  const admin = async (sql: string): Promise<void> => {
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${name}`);
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    schema: 'public',
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

/**
 * Rows no database would take (NUL in PostgreSQL text) once stopped all usage recording:
 * the spool replay failed on them for ever and every later row waited behind them.
 */
describeWith('postgres', 'usage rows a database cannot store [PostgreSQL]', (url) => {
  let upstream: StandInUpstream;
  let dir: string;
  const schemas: TestSchema[] = [];

  beforeAll(async () => {
    upstream = await StandInUpstream.start();
    upstream.on('POST', '/v1/chat/completions', {
      json: jsonFixture('openai/chat-completion.json'),
    });
    dir = mkdtempSync(join(tmpdir(), 'tollgate-poison-'));
  });
  afterAll(async () => {
    await upstream.stop();
    for (const s of schemas) await s.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (databaseUrl: string, yaml: string): Record<string, string> => {
    const config = join(dir, `tollgate-${schemas.length}-${Math.random()}.yaml`);
    writeFileSync(config, yaml);
    return {
      DATABASE_URL: databaseUrl,
      TOLLGATE_CONFIG: config,
      OPENAI_API_KEY: 'sk-up-000000000000',
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      OPENAI_MODELS: 'gpt-4o-mini',
      LOG_LEVEL: 'error',
    };
  };

  const send = async (
    gw: RunningGateway,
    key: string,
    extra: Record<string, unknown> = {},
  ): Promise<{ status: number; requestId: string }> => {
    const res = await api(gw, key).chat({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      ...extra,
    });
    await res.arrayBuffer();
    return { status: res.status, requestId: res.headers.get('x-request-id')! };
  };

  const storedRequestIds = async (schema: TestSchema): Promise<string[]> => {
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ request_id: string }>(
        'select request_id from usage_log',
      );
      return rows.map((r) => r.request_id);
    } finally {
      await client.end();
    }
  };

  const drained = async (gw: RunningGateway): Promise<void> => {
    const recorder = gw.app.get(UsageRecorder);
    for (let i = 0; i < 200; i++) {
      await recorder.flush();
      if (recorder.state().queue === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`usage never drained: ${JSON.stringify(recorder.state())}`);
  };

  it('NUL in model or user: every row is stored, the writer keeps going, /ready says so', async () => {
    const schema = await createTestSchema(url);
    schemas.push(schema);
    const gw = await startGateway(
      env(schema.url, `usage:\n  spool_path: ${join(dir, 'nul.jsonl')}\n  flush_interval_ms: 50\n`),
    );
    try {
      const created = await api(gw).call('POST', '/admin/keys', { name: 'poison' });
      expect(created.status).toBe(201);
      const { key } = created.body as { key: string };
      const sent: Array<{ status: number; requestId: string }> = [];
      for (let i = 0; i < 3; i++) sent.push(await send(gw, key));
      sent.push(await send(gw, key, { model: 'x\u0000' }));
      sent.push(await send(gw, key, { user: 'a\u0000' }));
      for (let i = 0; i < 3; i++) sent.push(await send(gw, key));
      expect(sent.map((s) => s.status)).toEqual([200, 200, 200, 404, 200, 200, 200, 200]);

      await drained(gw);
      const stored = await storedRequestIds(schema);
      expect(stored.sort()).toEqual(sent.map((s) => s.requestId).sort());

      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ requested_model: string; end_user: string | null }>(
          'select requested_model, end_user from usage_log',
        );
        expect(rows.map((r) => r.requested_model)).toContain('x\uFFFD');
        expect(rows.map((r) => r.end_user)).toContain('a\uFFFD');
      } finally {
        await client.end();
      }

      const ready = await api(gw, null).call('GET', '/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({
        checks: { usage_writer: true },
        usage_writer: { queue: 0, oldest_age_s: 0, dead_letters: 0 },
      });
      const metrics = await (await api(gw).get('/metrics')).text();
      expect(metrics).toMatch(/^tollgate_usage_writer_queue_rows 0$/m);
      expect(metrics).toMatch(/^tollgate_usage_dead_letter_rows_total 0$/m);
    } finally {
      await gw.close();
    }
  }, 30_000);

  it('two databases, one spool path: rows spooled for one are never replayed into the other', async () => {
    // Two databases of one server (a second schema of one database cannot be migrated from
    // a process that migrated the first: Kysely finds the other schema's migration tables).
    const a = await createTestDatabase(url);
    const b = await createTestDatabase(url);
    schemas.push(a, b);
    const target = new URL(url);
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    const aViaProxy = new URL(a.url);
    aViaProxy.hostname = '127.0.0.1';
    aViaProxy.port = String(proxy.port);
    // The same spool path for both, as two gateways started from one directory would share.
    const yaml = `usage:\n  spool_path: ${join(dir, 'shared', 'usage-spool.jsonl')}\n  flush_interval_ms: 50\n`;
    const envA = env(aViaProxy.toString(), yaml);
    const envB = env(b.url, yaml);
    try {
      const gwA = await startGateway(envA);
      const gwB = await startGateway(envB);
      const sentA: string[] = [];
      const sentB: string[] = [];
      try {
        proxy.cut();
        for (let i = 0; i < 5; i++) sentA.push((await send(gwA, MASTER_KEY)).requestId);
        for (let i = 0; i < 5; i++) sentB.push((await send(gwB, MASTER_KEY)).requestId);
        await gwA.app.get(UsageRecorder).flush();
        await drained(gwB);
      } finally {
        await gwA.close(); // database A still unreachable: its rows stay in the spool
      }
      expect(gwA.app.get(UsageRecorder).counters().spooled).toBe(5);

      // B restarts next to A's spool, and writes more: nothing of A's reaches B.
      await gwB.close();
      const gwB2 = await startGateway(envB);
      try {
        for (let i = 0; i < 5; i++) sentB.push((await send(gwB2, MASTER_KEY)).requestId);
        await drained(gwB2);
      } finally {
        await gwB2.close();
      }
      expect((await storedRequestIds(b)).sort()).toEqual([...sentB].sort());
      expect(await storedRequestIds(a)).toEqual([]);

      // A comes back: its own rows, and only those, are replayed into it.
      proxy.restore();
      const gwA2 = await startGateway(envA);
      try {
        await drained(gwA2);
      } finally {
        await gwA2.close();
      }
      expect((await storedRequestIds(a)).sort()).toEqual([...sentA].sort());
      expect((await storedRequestIds(b)).sort()).toEqual([...sentB].sort());
      const left = readdirSync(join(dir, 'shared')).filter((f) => !f.endsWith('.lock'));
      expect(left).toEqual([]);
      expect(existsSync(join(dir, 'shared', 'usage-spool.dead-letter.jsonl'))).toBe(false);
    } finally {
      await proxy.stop();
    }
  }, 60_000);

  it('the default spool path differs per database', async () => {
    const { loadConfig } = await import('../../src/config/config.js');
    const spool = (databaseUrl: string): string =>
      loadConfig({ TOLLGATE_MASTER_KEY: MASTER_KEY, DATABASE_URL: databaseUrl }).usage.spoolPath;
    const a = new URL(url);
    a.searchParams.set('options', '-c search_path=a');
    const b = new URL(url);
    b.searchParams.set('options', '-c search_path=b');
    expect(spool(a.toString())).not.toBe(spool(b.toString()));
  });
});
