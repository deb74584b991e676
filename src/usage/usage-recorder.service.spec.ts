import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { usageRecord } from '../../test/support/usage.js';
import type { UsageRecord } from './usage-record.js';
import {
  parseSpoolLine,
  toSpoolLine,
  UsageRecorder,
  type UsageRecorderOptions,
} from './usage-recorder.service.js';
import type { UsageRepository } from './usage.repository.js';

/** A repository in memory that can be told to fail, before or after "writing". */
class FakeRepository {
  readonly rows = new Map<string, UsageRecord>();
  inserts = 0;
  mode: 'ok' | 'down' | 'fails-after-write' = 'ok';

  async insertMany(records: UsageRecord[]): Promise<void> {
    this.inserts++;
    if (this.mode === 'down') throw new Error('connect ECONNREFUSED');
    for (const r of records) if (!this.rows.has(r.id)) this.rows.set(r.id, r);
    if (this.mode === 'fails-after-write') throw new Error('connection lost before the reply');
  }
}

describe('UsageRecorder', () => {
  let dir: string;
  let repo: FakeRepository;
  let recorder: UsageRecorder;
  let options: UsageRecorderOptions;
  const clock = { t: 1_000_000, now: () => clock.t };

  const make = (overrides: Partial<UsageRecorderOptions> = {}): UsageRecorder => {
    options = {
      spoolPath: join(dir, 'spool', 'usage-spool.jsonl'),
      flushIntervalMs: 60_000,
      batchSize: 10,
      bufferSize: 50,
      ...overrides,
    };
    const r = new UsageRecorder(
      repo as unknown as UsageRepository,
      options,
      pino({ level: 'silent' }),
      clock,
    );
    r.onModuleInit();
    return r;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-recorder-'));
    repo = new FakeRepository();
    recorder = make();
  });
  afterEach(async () => {
    await recorder.beforeApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps rows in memory and writes them in one batch on flush', async () => {
    for (let i = 0; i < 7; i++) recorder.record(usageRecord());
    expect(repo.rows.size).toBe(0);
    await recorder.flush();
    expect(repo.rows.size).toBe(7);
    expect(repo.inserts).toBe(1);
  });

  it('flushes on its own once a batch is full', async () => {
    for (let i = 0; i < 25; i++) recorder.record(usageRecord());
    await new Promise((resolve) => setImmediate(resolve));
    await recorder.flush();
    expect(repo.rows.size).toBe(25);
  });

  it('flushes on the interval', async () => {
    await recorder.beforeApplicationShutdown();
    recorder = make({ flushIntervalMs: 20 });
    recorder.record(usageRecord());
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(repo.rows.size).toBe(1);
  });

  it('spools rows while the database is down and replays them once, when it is back', async () => {
    repo.mode = 'down';
    const rows = Array.from({ length: 23 }, () => usageRecord());
    for (const r of rows.slice(0, 13)) recorder.record(r);
    await recorder.flush();
    expect(existsSync(options.spoolPath)).toBe(true);
    expect(recorder.counters()).toMatchObject({ buffered: 0, spooled: 13, written: 0 });

    for (const r of rows.slice(13)) recorder.record(r);
    repo.mode = 'ok';
    clock.t += 60_000; // past the backoff
    await recorder.flush();
    expect([...repo.rows.keys()].sort()).toEqual(rows.map((r) => r.id).sort());
    expect(existsSync(options.spoolPath)).toBe(false);
    expect(recorder.counters()).toMatchObject({ replayed: 13, written: 10 });
  });

  it('writes nothing twice when a batch was stored but reported as failed', async () => {
    repo.mode = 'fails-after-write';
    const rows = Array.from({ length: 5 }, () => usageRecord());
    for (const r of rows) recorder.record(r);
    await recorder.flush();
    expect(repo.rows.size).toBe(5);
    expect(existsSync(options.spoolPath)).toBe(true);

    repo.mode = 'ok';
    clock.t += 60_000;
    await recorder.flush();
    expect(repo.rows.size).toBe(5);
    expect(existsSync(options.spoolPath)).toBe(false);
  });

  it('backs off while the database is down instead of failing every flush', async () => {
    repo.mode = 'down';
    recorder.record(usageRecord());
    await recorder.flush();
    const attempts = repo.inserts;
    for (let i = 0; i < 5; i++) {
      recorder.record(usageRecord());
      await recorder.flush();
    }
    expect(repo.inserts).toBe(attempts);
    expect(recorder.counters().spooled).toBe(6);
  });

  it('bounds memory: beyond bufferSize rows go to the spool at once', async () => {
    await recorder.beforeApplicationShutdown();
    recorder = make({ batchSize: 1_000, bufferSize: 20 });
    for (let i = 0; i < 45; i++) recorder.record(usageRecord());
    expect(recorder.counters().buffered).toBeLessThan(20);
    expect(readFileSync(options.spoolPath, 'utf8').trim().split('\n')).toHaveLength(40);
    await recorder.flush();
    expect(repo.rows.size).toBe(45);
  });

  it('at shutdown flushes, or spools when the database is down; later rows go to the spool', async () => {
    recorder.record(usageRecord());
    await recorder.beforeApplicationShutdown();
    expect(repo.rows.size).toBe(1);

    repo.mode = 'down';
    const late = usageRecord();
    recorder.record(late);
    await recorder.onApplicationShutdown();
    const afterClose = usageRecord();
    recorder.record(afterClose);
    const spooled = readFileSync(options.spoolPath, 'utf8').trim().split('\n').map(parseSpoolLine);
    expect(spooled.map((r) => r?.id)).toEqual([late.id, afterClose.id]);

    // The next start replays what the last one could not write.
    repo.mode = 'ok';
    recorder = make();
    await recorder.flush();
    expect(repo.rows.has(late.id) && repo.rows.has(afterClose.id)).toBe(true);
    expect(existsSync(options.spoolPath)).toBe(false);
  });

  it('skips a damaged spool line (a write cut short by a crash) and keeps the rest', async () => {
    const good = usageRecord({ costNanos: 2n ** 60n });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'spool'), { recursive: true });
    writeFileSync(options.spoolPath, `${toSpoolLine(good)}{"id":"usage_trunc`);
    await recorder.flush();
    expect(repo.rows.get(good.id)).toEqual(good);
    expect(repo.rows.size).toBe(1);
  });

  it('round-trips every field through the spool format, big costs included', () => {
    const r = usageRecord({ costNanos: 2n ** 63n - 1n, user: 'ü', ttftMs: 1.5 });
    expect(parseSpoolLine(toSpoolLine(r))).toEqual(r);
    expect(parseSpoolLine(toSpoolLine(usageRecord({ costNanos: null })))?.costNanos).toBeNull();
  });
});
