import { sql } from 'kysely';
import { describeEachDatabase } from '../../test/support/databases.js';
import { usageRecord } from '../../test/support/usage.js';
import { migrateToLatest } from '../storage/migrations.js';
import { UsageRepository } from './usage.repository.js';

const T0 = Date.parse('2026-11-01T00:00:00Z');
const HOUR = 3_600_000;

describeEachDatabase('UsageRepository', (database, dialect) => {
  let repo: UsageRepository;
  beforeAll(() => {
    repo = new UsageRepository(database());
  });
  beforeEach(async () => {
    await database().db.deleteFrom('usage_log').execute();
  });

  it('stores every field and reads it back unchanged', async () => {
    const row = usageRecord({
      keyId: 'key_1',
      stream: true,
      partial: true,
      usageEstimated: true,
      cachedTokens: 5,
      cacheWriteTokens: 2,
      reasoningTokens: 3,
      costNanos: 1_234_567_890_123n,
      ttftMs: 4.25,
      errorType: 'server_error',
      errorCode: 'boom',
      user: 'user-42',
      costReason: null,
    });
    await repo.insertMany([row]);
    const { records, total } = await repo.list({}, 10, 0);
    expect(total).toBe(1);
    expect(records[0]).toEqual(row);
  });

  it('inserts idempotently: a replayed batch writes nothing twice', async () => {
    const rows = Array.from({ length: 1_200 }, (_, i) => usageRecord({ createdAt: T0 + i }));
    await repo.insertMany(rows.slice(0, 700));
    await repo.insertMany(rows);
    await repo.insertMany(rows.slice(300, 900));
    expect((await repo.list({}, 1, 0)).total).toBe(1_200);
  });

  it('lists newest first with filters, a stable order for equal times, and the full total', async () => {
    const rows = [
      usageRecord({
        id: 'usage_a',
        createdAt: T0,
        keyId: 'key_1',
        provider: 'openai',
        model: 'gpt-4o',
      }),
      usageRecord({
        id: 'usage_b',
        createdAt: T0 + HOUR,
        keyId: 'key_2',
        provider: 'groq',
        model: 'llama',
      }),
      usageRecord({
        id: 'usage_c',
        createdAt: T0 + HOUR,
        keyId: 'key_1',
        provider: 'openai',
        model: 'gpt-4o-mini',
      }),
      usageRecord({
        id: 'usage_d',
        createdAt: T0 + 2 * HOUR,
        keyId: null,
        provider: 'openai',
        model: 'gpt-4o',
      }),
    ];
    await repo.insertMany(rows);
    const ids = async (f: Parameters<UsageRepository['list']>[0], limit = 10, offset = 0) =>
      (await repo.list(f, limit, offset)).records.map((r) => r.id);

    expect(await ids({})).toEqual(['usage_d', 'usage_c', 'usage_b', 'usage_a']);
    expect(await ids({ keyId: 'key_1' })).toEqual(['usage_c', 'usage_a']);
    expect(await ids({ provider: 'openai', model: 'gpt-4o' })).toEqual(['usage_d', 'usage_a']);
    expect(await ids({ from: T0 + HOUR, to: T0 + 2 * HOUR })).toEqual(['usage_c', 'usage_b']);
    expect(await ids({}, 2, 1)).toEqual(['usage_c', 'usage_b']);
    expect((await repo.list({ provider: 'openai' }, 1, 0)).total).toBe(3);
  });

  it('sums exactly, however large: costs are integer nano-dollars summed in SQL', async () => {
    // Each cost alone is exact in a double; their sum (3 × 2^52 + 3) is not.
    const big = 2n ** 52n + 1n;
    await repo.insertMany([
      usageRecord({ costNanos: big, promptTokens: 10, completionTokens: 1, totalTokens: 11 }),
      usageRecord({ costNanos: big, promptTokens: 20, completionTokens: 2, totalTokens: 22 }),
      usageRecord({ costNanos: big, promptTokens: 30, completionTokens: 3, totalTokens: 33 }),
      usageRecord({ model: 'mystery', costNanos: null, costReason: 'unpriced_model' }),
    ]);
    const rows = await repo.summary('model', {});
    const mini = rows.find((r) => r.group[1] === 'gpt-4o-mini')!;
    expect(mini).toEqual({
      group: ['openai', 'gpt-4o-mini'],
      requests: 3,
      promptTokens: 60,
      completionTokens: 6,
      totalTokens: 66,
      costNanos: 3n * big,
      unpricedRequests: 0,
    });
    const mystery = rows.find((r) => r.group[1] === 'mystery')!;
    expect(mystery.costNanos).toBe(0n);
    expect(mystery.unpricedRequests).toBe(1);
  });

  it('groups by provider, key and UTC day within a time range', async () => {
    await repo.insertMany([
      usageRecord({ createdAt: T0 + 1, provider: 'openai', keyId: 'key_1' }),
      usageRecord({ createdAt: T0 + 23 * HOUR, provider: 'groq', keyId: 'key_1' }),
      usageRecord({ createdAt: T0 + 25 * HOUR, provider: 'openai', keyId: null }),
      usageRecord({ createdAt: T0 + 49 * HOUR, provider: 'openai', keyId: null }),
    ]);
    const groups = async (by: 'provider' | 'key' | 'day', to?: number) =>
      (await repo.summary(by, { from: T0, to }))
        .map((r) => [
          r.group[0] === null
            ? null
            : Number.isFinite(Number(r.group[0]))
              ? Number(r.group[0])
              : r.group[0],
          r.requests,
        ])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(await groups('provider')).toEqual([
      ['groq', 1],
      ['openai', 3],
    ]);
    expect(await groups('key')).toEqual([
      ['key_1', 2],
      [null, 2],
    ]);
    const day0 = T0 / 86_400_000;
    expect(await groups('day', T0 + 48 * HOUR)).toEqual([
      [day0, 2],
      [day0 + 1, 1],
    ]);
  });

  it('deletes rows older than a cutoff, a batch at a time', async () => {
    await repo.insertMany(
      Array.from({ length: 25 }, (_, i) => usageRecord({ createdAt: T0 + i * HOUR })),
    );
    expect(await repo.deleteOlderThan(T0 + 10 * HOUR, 4)).toBe(4);
    expect(await repo.deleteOlderThan(T0 + 10 * HOUR, 4)).toBe(4);
    expect(await repo.deleteOlderThan(T0 + 10 * HOUR, 4)).toBe(2);
    expect(await repo.deleteOlderThan(T0 + 10 * HOUR, 4)).toBe(0);
    const { records, total } = await repo.list({}, 100, 0);
    expect(total).toBe(15);
    expect(Math.min(...records.map((r) => r.createdAt))).toBe(T0 + 10 * HOUR);
  });

  it('uses the (key_id, created_at) index for a key-filtered log page (EXPLAIN)', async () => {
    // Enough rows, and fresh statistics, for PostgreSQL's planner to prefer the index
    // the way it would on a real table.
    const keys = Array.from({ length: 50 }, (_, i) => `key_${i}`);
    // 50 keys and 40 models, so each filter is selective.
    const rows = Array.from({ length: 20_000 }, (_, i) =>
      usageRecord({ createdAt: T0 + i * 1000, keyId: keys[i % 50], model: `model-${i % 40}` }),
    );
    await repo.insertMany(rows);
    if (dialect === 'postgres') await sql`analyze usage_log`.execute(database().db);
    const plan = (await repo.explainList({ keyId: 'key_7' }, 100)).join('\n');
    // The plans, for the docs: printed when the test runs with --verbose.
    process.stdout.write(`\n[${dialect}] EXPLAIN key-filtered usage log page:\n${plan}\n`);
    expect(plan).toContain('usage_log_key_created_idx');
    if (dialect === 'sqlite') expect(plan).not.toContain('TEMP B-TREE');
    else expect(plan).not.toMatch(/Seq Scan|Sort/);

    const byModel = (await repo.explainList({ model: 'model-3' }, 100)).join('\n');
    expect(byModel).toContain('usage_log_model_created_idx');
    const unfiltered = (await repo.explainList({}, 100)).join('\n');
    expect(unfiltered).toContain('usage_log_created_idx');
  });

  it('migrates idempotently, also when two replicas start at once', async () => {
    await Promise.all([migrateToLatest(database()), migrateToLatest(database())]);
    expect(await migrateToLatest(database())).toEqual([]);
  });
});
