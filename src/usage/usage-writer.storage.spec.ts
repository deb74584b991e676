import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describeEachDatabase } from '../../test/support/databases.js';
import { anyText, usageRecord } from '../../test/support/usage.js';
import { sanitizeUsageRecord } from './sanitize-usage-record.js';
import type { UsageRecord } from './usage-record.js';
import { UsageRecorder } from './usage-recorder.service.js';
import { UsageRepository } from './usage.repository.js';

/** Every text field a request or upstream can put into a usage row (the id is ours). */
const FUZZED = [
  'requestId',
  'keyId',
  'requestedModel',
  'provider',
  'model',
  'costReason',
  'errorType',
  'errorCode',
  'user',
] as const;

const fuzzedRow = (): fc.Arbitrary<UsageRecord> =>
  fc
    .record(
      Object.fromEntries(FUZZED.map((k) => [k, anyText()])) as Record<
        (typeof FUZZED)[number],
        fc.Arbitrary<string>
      >,
    )
    .map((texts) => usageRecord(texts));

describeEachDatabase('usage writer, whatever the row contains', (database) => {
  let dir: string;
  let recorder: UsageRecorder;
  let repository: UsageRepository;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-writer-'));
    repository = new UsageRepository(database());
    recorder = new UsageRecorder(
      repository,
      {
        spoolPath: join(dir, 'usage-spool.jsonl'),
        databaseId: 'test',
        flushIntervalMs: 60_000,
        batchSize: 7,
        bufferSize: 1_000,
        stuckAfterMs: 300_000,
      },
      pino({ level: 'silent' }),
      { now: () => Date.now() },
    );
    recorder.onModuleInit();
  });
  afterAll(async () => {
    await recorder.beforeApplicationShutdown();
    await recorder.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every row exactly once, as sanitised, none dead-lettered or spooled', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fuzzedRow(), { minLength: 1, maxLength: 12 }), async (rows) => {
        for (const r of rows) recorder.record(r);
        await recorder.flush();
        const ids = rows.map((r) => r.id);
        const stored = await database()
          .db.selectFrom('usage_log')
          .select(['id'])
          .where('id', 'in', ids)
          .execute();
        expect(stored.map((s) => s.id).sort()).toEqual([...ids].sort());
        const { records } = await repository.list({}, 1_000, 0);
        const byId = new Map(records.map((r) => [r.id, r]));
        for (const r of rows) expect(byId.get(r.id)).toEqual(sanitizeUsageRecord(r));
        expect(recorder.state()).toMatchObject({ queue: 0, deadLetters: 0 });
        expect(recorder.counters()).toMatchObject({ spooled: 0, failures: 0 });
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
