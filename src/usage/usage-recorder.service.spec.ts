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
import { isSpoolHeader, spoolHeaderLine } from './usage-spool.js';
import type { UsageRepository } from './usage.repository.js';

/** A repository in memory that can be told to fail, before or after "writing". */
class FakeRepository {
  readonly rows = new Map<string, UsageRecord>();
  inserts = 0;
  mode: 'ok' | 'down' | 'fails-after-write' = 'ok';
  /** Refuses any batch holding a row this returns an error for (as a database would). */
  refuse: (r: UsageRecord) => Error | undefined = () => undefined;

  async insertMany(records: UsageRecord[]): Promise<void> {
    this.inserts++;
    if (this.mode === 'down') throw new Error('connect ECONNREFUSED');
    for (const r of records) {
      const err = this.refuse(r);
      if (err) throw err;
    }
    for (const r of records) if (!this.rows.has(r.id)) this.rows.set(r.id, r);
    if (this.mode === 'fails-after-write') throw new Error('connection lost before the reply');
  }
}

/** The rows of a spool file, header left out. */
function spooledRows(file: string): UsageRecord[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  expect(isSpoolHeader(lines[0])).toBe(true);
  return lines.slice(1).map((line) => parseSpoolLine(line)!);
}

/** A PostgreSQL-style rejection of one row's data. */
const nulRejected = (): Error =>
  Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });

describe('UsageRecorder', () => {
  let dir: string;
  let repo: FakeRepository;
  let recorder: UsageRecorder;
  let options: UsageRecorderOptions;
  const clock = { t: 1_000_000, now: () => clock.t };

  const make = (overrides: Partial<UsageRecorderOptions> = {}): UsageRecorder => {
    options = {
      spoolPath: join(dir, 'spool', 'usage-spool.jsonl'),
      databaseId: 'db-a',
      stuckAfterMs: 300_000,
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
    expect(spooledRows(options.spoolPath)).toHaveLength(40);
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
    expect(spooledRows(options.spoolPath).map((r) => r.id)).toEqual([late.id, afterClose.id]);

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
    writeFileSync(
      options.spoolPath,
      `${spoolHeaderLine('db-a')}${toSpoolLine(good)}{"id":"usage_trunc`,
    );
    // The next start finds it.
    await recorder.beforeApplicationShutdown();
    recorder = make();
    await recorder.flush();
    expect(repo.rows.get(good.id)).toEqual(good);
    expect(repo.rows.size).toBe(1);
  });

  it('round-trips every field through the spool format, big costs included', () => {
    const r = usageRecord({ costNanos: 2n ** 63n - 1n, user: 'ü', ttftMs: 1.5 });
    expect(parseSpoolLine(toSpoolLine(r))).toEqual(r);
    expect(parseSpoolLine(toSpoolLine(usageRecord({ costNanos: null })))?.costNanos).toBeNull();
  });

  describe('one row the database refuses', () => {
    const deadLetters = (): Array<{ record: { id: string }; error: { code?: string } }> => {
      const file = join(dir, 'spool', 'usage-spool.dead-letter.jsonl');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { record: { id: string }; error: { code?: string } });
    };

    it('is isolated: every other row is written, the refused one is dead-lettered', async () => {
      const rows = Array.from({ length: 23 }, () => usageRecord());
      const bad = rows[17];
      repo.refuse = (r) => (r.id === bad.id ? nulRejected() : undefined);
      for (const r of rows) recorder.record(r);
      await recorder.flush();
      expect([...repo.rows.keys()].sort()).toEqual(
        rows
          .filter((r) => r !== bad)
          .map((r) => r.id)
          .sort(),
      );
      expect(deadLetters().map((d) => [d.record.id, d.error.code])).toEqual([[bad.id, '22021']]);
      expect(parseSpoolLine(JSON.stringify(deadLetters()[0].record))?.id).toBe(bad.id);
      expect(existsSync(options.spoolPath)).toBe(false);
      expect(recorder.state()).toMatchObject({ queue: 0, deadLetters: 1, stuck: false });
      // Nothing waits behind it: later rows are written at the next flush.
      const later = usageRecord();
      recorder.record(later);
      await recorder.flush();
      expect(repo.rows.has(later.id)).toBe(true);
    });

    it('in the spool does not block its replay (the rows after it are written)', async () => {
      repo.mode = 'down';
      const rows = Array.from({ length: 25 }, () => usageRecord());
      for (const r of rows) recorder.record(r);
      await recorder.flush();
      expect(spooledRows(options.spoolPath)).toHaveLength(25);
      repo.mode = 'ok';
      repo.refuse = (r) => (r.id === rows[3].id ? nulRejected() : undefined);
      clock.t += 60_000;
      await recorder.flush();
      expect(repo.rows.size).toBe(24);
      expect(deadLetters().map((d) => d.record.id)).toEqual([rows[3].id]);
      expect(recorder.state().queue).toBe(0);
      expect(existsSync(`${options.spoolPath}.replay`)).toBe(false);
    });

    it('an unrecognised error on one row is dead-lettered only when the others were written', async () => {
      const weird = (): Error => new Error('something odd');
      const rows = Array.from({ length: 8 }, () => usageRecord());
      repo.refuse = (r) => (r.id === rows[0].id ? weird() : undefined);
      for (const r of rows) recorder.record(r);
      await recorder.flush();
      expect(repo.rows.size).toBe(7);
      expect(deadLetters().map((d) => d.record.id)).toEqual([rows[0].id]);

      // Every row failing that way says more about the database than the rows: they wait.
      repo.refuse = () => weird();
      const more = Array.from({ length: 4 }, () => usageRecord());
      for (const r of more) recorder.record(r);
      await recorder.flush();
      expect(deadLetters()).toHaveLength(1);
      expect(
        spooledRows(options.spoolPath)
          .map((r) => r.id)
          .sort(),
      ).toEqual(more.map((r) => r.id).sort());
    });

    it('the database going away mid-split dead-letters nothing; the rest is spooled', async () => {
      const rows = Array.from({ length: 10 }, () => usageRecord());
      let calls = 0;
      repo.refuse = (r) => {
        if (++calls > 3) repo.mode = 'down';
        return r.id === rows[9].id ? nulRejected() : undefined;
      };
      for (const r of rows) recorder.record(r);
      await recorder.flush();
      expect(deadLetters()).toEqual([]);
      const stored = new Set([
        ...repo.rows.keys(),
        ...spooledRows(options.spoolPath).map((r) => r.id),
      ]);
      expect(rows.every((r) => stored.has(r.id))).toBe(true);
    });

    it('replays from where it stopped: a refused row is dead-lettered once', async () => {
      repo.mode = 'down';
      const rows = Array.from({ length: 30 }, () => usageRecord());
      for (const r of rows) recorder.record(r);
      await recorder.flush();
      repo.mode = 'ok';
      let cut = false;
      repo.refuse = (r) => {
        if (r.id === rows[2].id) return nulRejected();
        // The connection drops once, at the third batch of the replay.
        if (r.id === rows[25].id && !cut) {
          cut = true;
          return new Error('Connection terminated unexpectedly');
        }
        return undefined;
      };
      clock.t += 60_000;
      await recorder.flush();
      expect(repo.rows.size).toBe(19);
      expect(recorder.state().queue).toBe(10);
      clock.t += 60_000;
      await recorder.flush();
      expect(repo.rows.size).toBe(29);
      expect(deadLetters().map((d) => d.record.id)).toEqual([rows[2].id]);
      expect(recorder.counters().replayed).toBe(30);
    });
  });

  it('stores what it is given made storable (NUL, lone surrogates, huge strings)', async () => {
    const r = usageRecord({
      model: 'x\u0000',
      user: 'a\uD800',
      requestedModel: 'm'.repeat(10_000),
    });
    recorder.record(r);
    await recorder.flush();
    const stored = repo.rows.get(r.id)!;
    expect(stored.model).toBe('x\uFFFD');
    expect(stored.user).toBe('a\uFFFD');
    expect(stored.requestedModel).toHaveLength(256);
  });

  it('reports its backlog, and stuck once rows wait too long with nothing written', async () => {
    await recorder.beforeApplicationShutdown();
    recorder = make({ stuckAfterMs: 300_000 });
    expect(recorder.state()).toMatchObject({ queue: 0, oldestAgeS: 0, stuck: false });
    repo.mode = 'down';
    recorder.record(usageRecord());
    recorder.record(usageRecord());
    clock.t += 5_000;
    expect(recorder.state()).toMatchObject({ queue: 2, oldestAgeS: 5, stuck: false });
    await recorder.flush(); // spooled
    clock.t += 300_000;
    expect(recorder.state()).toMatchObject({ queue: 2, oldestAgeS: 305, stuck: true });
    repo.mode = 'ok';
    await recorder.flush();
    expect(recorder.state()).toMatchObject({ queue: 0, oldestAgeS: 0, stuck: false });
  });

  describe('spool files', () => {
    it('never replays a spool file of another database; uses a slot of its own', async () => {
      await recorder.beforeApplicationShutdown();
      const { mkdirSync } = await import('node:fs');
      mkdirSync(join(dir, 'spool'), { recursive: true });
      const foreign = usageRecord();
      const foreignText = `${spoolHeaderLine('db-b')}${toSpoolLine(foreign)}`;
      writeFileSync(options.spoolPath, foreignText);
      writeFileSync(join(dir, 'spool', 'legacy.jsonl'), toSpoolLine(foreign));
      recorder = make();
      repo.mode = 'down';
      const mine = usageRecord();
      recorder.record(mine);
      await recorder.flush();
      expect(recorder.spool.path).toBe(join(dir, 'spool', 'usage-spool.1.jsonl'));
      repo.mode = 'ok';
      clock.t += 60_000;
      await recorder.flush();
      expect([...repo.rows.keys()]).toEqual([mine.id]);
      expect(readFileSync(options.spoolPath, 'utf8')).toBe(foreignText);

      // Without a header a file's database is unknown: not replayed either.
      await recorder.beforeApplicationShutdown();
      recorder = make({ spoolPath: join(dir, 'spool', 'legacy.jsonl') });
      await recorder.flush();
      expect(repo.rows.has(foreign.id)).toBe(false);
    });

    it('two recorders on one spool path use two files; the survivor adopts the other one', async () => {
      repo.mode = 'down';
      const second = make();
      const first = recorder;
      const a = usageRecord();
      const b = usageRecord();
      first.record(a);
      second.record(b);
      await first.flush();
      await second.flush();
      expect(first.spool.path).not.toBe(second.spool.path);
      expect(spooledRows(first.spool.path).map((r) => r.id)).toEqual([a.id]);
      expect(spooledRows(second.spool.path).map((r) => r.id)).toEqual([b.id]);

      await first.beforeApplicationShutdown();
      await first.onApplicationShutdown(); // database still down: its row stays on disk
      repo.mode = 'ok';
      clock.t += 120_000; // past the backoff and the next look for orphans
      await second.flush();
      expect([...repo.rows.keys()].sort()).toEqual([a.id, b.id].sort());
      expect(second.state().queue).toBe(0);
      expect(existsSync(first.spool.path)).toBe(false);
      await second.beforeApplicationShutdown();
      await second.onApplicationShutdown();
    });

    it('takes over the lock of a process that died', async () => {
      await recorder.beforeApplicationShutdown();
      const { mkdirSync } = await import('node:fs');
      const { spawnSync } = await import('node:child_process');
      const { hostname } = await import('node:os');
      const dead = spawnSync(process.execPath, [
        '-e',
        'process.stdout.write(String(process.pid))',
      ]).stdout.toString();
      mkdirSync(join(dir, 'spool'), { recursive: true });
      const left = usageRecord();
      writeFileSync(options.spoolPath, `${spoolHeaderLine('db-a')}${toSpoolLine(left)}`);
      writeFileSync(
        `${options.spoolPath}.lock`,
        JSON.stringify({ pid: Number(dead), host: hostname(), token: 'old' }),
      );
      recorder = make();
      await recorder.flush();
      expect(repo.rows.has(left.id)).toBe(true);
      expect(recorder.spool.path).toBe(options.spoolPath);
      expect(JSON.parse(readFileSync(`${options.spoolPath}.lock`, 'utf8'))).toMatchObject({
        pid: process.pid,
      });
    });

    it('leaves the lock of a live process alone', async () => {
      await recorder.beforeApplicationShutdown();
      const { mkdirSync } = await import('node:fs');
      const { hostname } = await import('node:os');
      mkdirSync(join(dir, 'spool'), { recursive: true });
      const theirs = usageRecord();
      writeFileSync(options.spoolPath, `${spoolHeaderLine('db-a')}${toSpoolLine(theirs)}`);
      // The parent of this test runner: alive, and not this process.
      const lock = JSON.stringify({ pid: process.ppid, host: hostname(), token: 'live' });
      writeFileSync(`${options.spoolPath}.lock`, lock);
      recorder = make();
      await recorder.flush();
      expect(repo.rows.has(theirs.id)).toBe(false);
      expect(readFileSync(`${options.spoolPath}.lock`, 'utf8')).toBe(lock);
    });
  });
});
