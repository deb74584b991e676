import BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { UsageRecorder } from '../../src/usage/usage-recorder.service.js';
import { isSpoolHeader } from '../../src/usage/usage-spool.js';
import { createTestSchema, describeWith, type TestSchema } from '../support/external-services.js';
import { jsonFixture } from '../support/fixtures.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';
import { api } from '../support/http.js';
import { StandInUpstream } from '../support/stand-in-upstream.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * The database goes away in the middle of traffic and comes back: every request must
 * still end up as exactly one usage row (buffered, spooled to disk, replayed), and
 * requests must keep being served meanwhile.
 */
interface Outage {
  env: Record<string, string>;
  /** /ready while broken: 503 when the database cannot be reached at all. */
  readyWhileDown: number;
  breakDb(): void | Promise<void>;
  repairDb(): void | Promise<void>;
  /** request_id of every stored row. */
  storedRequestIds(): Promise<string[]>;
  cleanup(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function outageSuite(makeOutage: () => Promise<Outage>): void {
  let upstream: StandInUpstream;
  let outage: Outage;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    upstream = await StandInUpstream.start();
    upstream.on('POST', '/v1/chat/completions', {
      json: jsonFixture('openai/chat-completion.json'),
    });
    outage = await makeOutage();
    dir = mkdtempSync(join(tmpdir(), 'tollgate-outage-'));
    const spool = join(dir, 'usage-spool.jsonl');
    // Fast flushes, so the outage hits many of them.
    writeFileSync(
      join(dir, 'tollgate.yaml'),
      `usage:\n  spool_path: ${spool}\n  flush_interval_ms: 50\n  batch_size: 20\n`,
    );
    env = {
      ...outage.env,
      TOLLGATE_CONFIG: join(dir, 'tollgate.yaml'),
      OPENAI_API_KEY: 'sk-up-000000000000',
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      OPENAI_MODELS: 'gpt-4o-mini',
      LOG_LEVEL: 'error',
    };
  });
  afterAll(async () => {
    await outage.repairDb();
    await outage.cleanup();
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = async (gw: RunningGateway): Promise<string> => {
    const res = await api(gw).chat({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    return res.headers.get('x-request-id')!;
  };

  /** Until the recorder has nothing buffered or spooled. */
  const drained = async (gw: RunningGateway): Promise<void> => {
    const recorder = gw.app.get(UsageRecorder);
    for (let i = 0; i < 400; i++) {
      await recorder.flush();
      const spool = join(dir, 'usage-spool.jsonl');
      if (recorder.state().queue === 0 && !existsSync(spool) && !existsSync(`${spool}.replay`)) {
        return;
      }
      await sleep(25);
    }
    throw new Error(`usage never drained: ${JSON.stringify(recorder.counters())}`);
  };

  const expectExactlyOnce = async (sent: string[]): Promise<void> => {
    const stored = await outage.storedRequestIds();
    expect(stored.length).toBe(new Set(stored).size); // nothing twice
    const storedSet = new Set(stored);
    expect(sent.filter((id) => !storedSet.has(id))).toEqual([]); // nothing lost
  };

  it('keeps serving while the database is down, and stores every row exactly once after', async () => {
    const gw = await startGateway(env);
    const sent: string[] = [];
    try {
      const before = await outage.storedRequestIds();
      let phase: 'up' | 'down' | 'back' = 'up';
      const started = Date.now();
      const workers = Array.from({ length: 4 }, async () => {
        while (Date.now() - started < 1_500) {
          sent.push(await send(gw));
          const t = Date.now() - started;
          if (phase === 'up' && t > 300) {
            phase = 'down';
            await outage.breakDb();
            expect((await api(gw, null).get('/ready')).status).toBe(outage.readyWhileDown);
          } else if (phase === 'down' && t > 1_000) {
            phase = 'back';
            await outage.repairDb();
          }
        }
      });
      await Promise.all(workers);
      expect(phase).toBe('back');
      expect((await api(gw, null).get('/ready')).status).toBe(200);
      await drained(gw);
      const counters = gw.app.get(UsageRecorder).counters();
      expect(counters.failures).toBeGreaterThan(0);
      expect(counters.spooled).toBeGreaterThan(0);
      expect(counters.replayed).toBe(counters.spooled);
      await expectExactlyOnce(sent);
      expect((await outage.storedRequestIds()).length).toBe(before.length + sent.length);
    } finally {
      await gw.close();
    }
  }, 30_000);

  it('at shutdown with the database down spools the rows, and the next start writes them', async () => {
    const gw = await startGateway(env);
    const sent: string[] = [];
    const before = (await outage.storedRequestIds()).length;
    await outage.breakDb();
    for (let i = 0; i < 30; i++) sent.push(await send(gw));
    await gw.close();
    // Every row is on disk: in the spool, or in the replay file a failed replay leaves
    // behind (which of the two depends on whether a replay was tried before shutdown).
    const onDisk = ['usage-spool.jsonl', 'usage-spool.jsonl.replay'].flatMap((file) =>
      existsSync(join(dir, file))
        ? readFileSync(join(dir, file), 'utf8')
            .split('\n')
            .filter((line) => line !== '' && !isSpoolHeader(line))
            .map((line) => (JSON.parse(line) as { requestId: string }).requestId)
        : [],
    );
    expect(onDisk).toEqual(expect.arrayContaining(sent));

    await outage.repairDb();
    const next = await startGateway(env);
    try {
      await drained(next);
      await expectExactlyOnce(sent);
      expect((await outage.storedRequestIds()).length).toBe(before + sent.length);
    } finally {
      await next.close();
    }
  }, 30_000);
}

describe('usage rows survive a SQLite outage (database locked by another writer)', () => {
  outageSuite(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-sqlite-outage-'));
    const file = join(dir, 'tollgate.db');
    let locker: BetterSqlite3.Database | undefined;
    return {
      env: { DATABASE_URL: `sqlite:${file}` },
      // A writer's lock does not stop reads: the database is still there.
      readyWhileDown: 200,
      breakDb: () => {
        locker = new BetterSqlite3(file);
        locker.exec('BEGIN EXCLUSIVE');
      },
      repairDb: () => {
        locker?.exec('COMMIT');
        locker?.close();
        locker = undefined;
      },
      storedRequestIds: async () => {
        const db = new BetterSqlite3(file, { readonly: true });
        try {
          return (
            db.prepare('select request_id from usage_log').all() as Array<{ request_id: string }>
          ).map((r) => r.request_id);
        } finally {
          db.close();
        }
      },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  });
});

describeWith(
  'postgres',
  'usage rows survive a PostgreSQL outage (connection cut by a proxy)',
  (url) => {
    outageSuite(async () => {
      const schema: TestSchema = await createTestSchema(url);
      const target = new URL(url);
      const proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
      const viaProxy = new URL(schema.url);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      return {
        env: { DATABASE_URL: viaProxy.toString() },
        readyWhileDown: 503,
        breakDb: () => proxy.cut(),
        repairDb: () => proxy.restore(),
        storedRequestIds: async () => {
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
        },
        cleanup: async () => {
          await proxy.stop();
          await schema.drop();
        },
      };
    });
  },
);
