import {
  Inject,
  Injectable,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { appendFileSync, existsSync, mkdirSync, renameSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { CLOCK, type Clock } from '../common/clock/clock.js';
import { Readiness } from '../health/readiness.service.js';
import { LOGGER } from '../logging/logging.module.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { sanitizeUsageRecord } from './sanitize-usage-record.js';
import type { UsageRecord } from './usage-record.js';
import {
  deadLetterLine,
  isSpoolHeader,
  parseSpoolLine,
  readLinesWithOffsets,
  spoolDatabase,
  toSpoolLine,
  UsageSpool,
} from './usage-spool.js';
import { classifyUsageWriteError, describeUsageWriteError } from './usage-write-error.js';
import { UsageRepository } from './usage.repository.js';

export { parseSpoolLine, toSpoolLine } from './usage-spool.js';

export interface UsageRecorderOptions {
  spoolPath: string;
  /** The database's identity hash; spool files of another database are never replayed. */
  databaseId: string;
  flushIntervalMs: number;
  batchSize: number;
  bufferSize: number;
  /** Unwritten rows this old, with nothing written meanwhile, make `/ready` 503. */
  stuckAfterMs: number;
}

export const USAGE_RECORDER_OPTIONS = Symbol('USAGE_RECORDER_OPTIONS');

/** What `/ready` and `/metrics` show of the writer. */
export interface UsageWriterState {
  /** Rows not yet in the database: buffered in memory plus waiting in the spool. */
  queue: number;
  /** Seconds since the oldest of them was handed to the recorder (0 when none). */
  oldestAgeS: number;
  /** Rows the database refused, moved to the dead-letter file, since start. */
  deadLetters: number;
  /** Rows waiting longer than `stuckAfterMs` and nothing written for as long. */
  stuck: boolean;
}

const MAX_RETRY_DELAY_MS = 30_000;
const SPOOL_LOG_EVERY_MS = 10_000;
const ORPHAN_SCAN_EVERY_MS = 60_000;

/**
 * Writes usage rows off the request path: `record()` sanitises the row (see
 * `sanitizeUsageRecord`) and appends it to an in-memory buffer, which is written in
 * multi-row batches when it reaches `batchSize` or every `flushIntervalMs`. One flush runs
 * at a time.
 *
 * No row can hold back the others. A batch the database refuses is split in halves, and
 * those again, down to the single row, which goes to the dead-letter file next to the
 * spool (with a log line and a metric). Only a database that cannot be reached (or is
 * busy) stops the writer: then rows go to this process's spool file (`UsageSpool`: keyed
 * to the database, locked to this process), also when the buffer would outgrow
 * `bufferSize`. Once a write succeeds again the spool is replayed first, from where the
 * last attempt stopped. Rows carry their own id and are inserted ignoring duplicates, so a
 * batch that was written but reported as failed (or a replay cut short) is never stored
 * twice. At shutdown the buffer is flushed, or spooled when the database is down; rows
 * that arrive after that go straight to the spool.
 */
@Injectable()
export class UsageRecorder
  implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown
{
  private buffer: UsageRecord[] = [];
  /** When the oldest buffered row was queued (ms), 0 when the buffer is empty. */
  private bufferSince = 0;
  /** Rows waiting on disk, and since when (ms, 0 when none). */
  private spoolPending = 0;
  private spoolSince = 0;
  /** Byte offset up to which the replay file is done (written or dead-lettered). */
  private replayOffset = 0;
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private flushQueued = false;
  private closed = false;
  /** While the database is failing, the next attempt waits until this time (ms). */
  private retryAt = 0;
  private retryDelayMs: number;
  private lastProgress: number;
  private lastOrphanScan = -Infinity;
  private orphans: string[] = [];
  private readonly stats = {
    written: 0,
    spooled: 0,
    replayed: 0,
    failures: 0,
    deadLettered: 0,
  };
  private lastSpoolLog = -Infinity;
  private unreportedSpooled = 0;
  readonly spool: UsageSpool;

  constructor(
    private readonly repository: UsageRepository,
    @Inject(USAGE_RECORDER_OPTIONS) private readonly options: UsageRecorderOptions,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() private readonly readiness?: Readiness,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.retryDelayMs = options.flushIntervalMs;
    this.lastProgress = clock.now();
    // Lock files age by the file system's clock, not the injected one.
    this.spool = new UsageSpool(options.spoolPath, options.databaseId, {
      warn: (fields, message) => this.logger.warn(fields, message),
    });
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
    this.readiness?.report('usage_writer', () => {
      const s = this.state();
      return {
        ready: !s.stuck,
        detail: { queue: s.queue, oldest_age_s: s.oldestAgeS, dead_letters: s.deadLetters },
      };
    });
    this.metrics?.watchUsageWriter(() => this.state());
    if (this.scanSpool()) void this.flush();
  }

  /** Queues one row; never waits, never throws. */
  record(record: UsageRecord): void {
    const row = sanitizeUsageRecord(record);
    if (this.closed) {
      this.toSpool([row], this.clock.now(), 'after shutdown');
      return;
    }
    if (this.buffer.length === 0) this.bufferSince = this.clock.now();
    this.buffer.push(row);
    if (this.buffer.length >= this.options.bufferSize) {
      // Writes are not keeping up: keep memory bounded, the spool is replayed later.
      this.toSpool(...this.takeBuffer(), 'buffer full');
    } else if (this.buffer.length >= this.options.batchSize && !this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => void this.flush());
    }
  }

  /** Writes everything buffered (and any spool) now; resolves when done or spooled. */
  flush(): Promise<void> {
    this.chain = this.chain
      .then(() => this.writeOut())
      .catch((err: unknown) => {
        this.logger.error({ err: describeUsageWriteError(err) }, 'usage recorder: flush failed');
      });
    return this.chain;
  }

  /** Counters for logs and tests. */
  counters(): Readonly<typeof this.stats> & { buffered: number } {
    return { ...this.stats, buffered: this.buffer.length };
  }

  /** The writer's backlog, for `/ready` and `/metrics`. */
  state(): UsageWriterState {
    const now = this.clock.now();
    const queue = this.buffer.length + this.spoolPending;
    const since = Math.min(
      this.bufferSince || Infinity,
      this.spoolPending > 0 ? this.spoolSince || now : Infinity,
    );
    const oldestMs = queue > 0 && Number.isFinite(since) ? Math.max(0, now - since) : 0;
    return {
      queue,
      oldestAgeS: Math.round(oldestMs / 100) / 10,
      deadLetters: this.stats.deadLettered,
      stuck:
        oldestMs > this.options.stuckAfterMs && now - this.lastProgress > this.options.stuckAfterMs,
    };
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.retryAt = 0;
    await this.flush();
  }

  /** Rows of responses that closed while the server shut down, then nothing but the spool. */
  async onApplicationShutdown(): Promise<void> {
    this.retryAt = 0;
    await this.flush();
    this.closed = true;
    this.toSpool(...this.takeBuffer(), 'shutdown');
    // The files stay for the next start; the lock goes so that start can take the slot.
    this.spool.release();
  }

  private async writeOut(): Promise<void> {
    this.flushQueued = false;
    this.spool.refresh();
    if (this.clock.now() < this.retryAt) {
      // Database known to be down: do not pay a failing round trip per interval.
      this.toSpool(...this.takeBuffer(), 'database unavailable');
      return;
    }
    if (this.clock.now() - this.lastOrphanScan >= ORPHAN_SCAN_EVERY_MS) this.scanSpool();
    if ((this.spoolPending > 0 || this.orphans.length > 0) && !(await this.replay())) {
      this.toSpool(...this.takeBuffer(), 'database unavailable');
      return;
    }
    while (this.buffer.length > 0) {
      const since = this.bufferSince;
      const batch = this.buffer.splice(0, this.options.batchSize);
      if (this.buffer.length === 0) this.bufferSince = 0;
      const { unwritten, done } = await this.store(batch);
      this.stats.written += done;
      if (unwritten.length > 0) {
        const [rest] = this.takeBuffer();
        this.toSpool([...unwritten, ...rest], since, 'database unavailable');
        return;
      }
    }
  }

  /**
   * Inserts rows, isolating the ones the database refuses: a failing batch is split in
   * halves down to single rows, and a refused row is dead-lettered. Stops at the first
   * sign that the database is unavailable; returns the rows left unwritten by that, and
   * how many were written.
   */
  private async store(rows: UsageRecord[]): Promise<{ unwritten: UsageRecord[]; done: number }> {
    let done = 0;
    const suspects: Array<{ record: UsageRecord; err: unknown }> = [];
    const attempt = async (part: UsageRecord[]): Promise<UsageRecord[]> => {
      try {
        await this.repository.insertMany(part);
        done += part.length;
        return [];
      } catch (err) {
        const kind = classifyUsageWriteError(err);
        if (kind === 'unavailable') {
          this.failed(err);
          return part;
        }
        if (part.length === 1) {
          if (kind === 'rejected') this.deadLetter(part[0], err);
          else suspects.push({ record: part[0], err });
          return [];
        }
        const half = Math.ceil(part.length / 2);
        const left = await attempt(part.slice(0, half));
        if (left.length > 0) return [...left, ...part.slice(half)];
        return attempt(part.slice(half));
      }
    };
    const unwritten = await attempt(rows);
    if (suspects.length > 0) {
      if (done > 0) {
        // The database took the other rows: these are the problem, not the database.
        for (const s of suspects) this.deadLetter(s.record, s.err);
      } else {
        if (unwritten.length === 0) this.failed(suspects[0].err);
        return { unwritten: [...suspects.map((s) => s.record), ...unwritten], done };
      }
    }
    if (unwritten.length === 0) this.succeeded();
    return { unwritten, done };
  }

  /**
   * Replays the spool: orphaned slots of this database are adopted into this process's
   * file first. True when nothing is left on disk.
   */
  private async replay(): Promise<boolean> {
    try {
      for (const other of this.orphans) {
        const rows = await this.spool.adopt(other);
        if (rows > 0) {
          this.spoolPending += rows;
          this.spoolSince ||= this.clock.now();
          this.logger.info({ rows, from: other }, 'usage recorder: adopted an orphaned spool');
        }
      }
      this.orphans = [];
      for (;;) {
        const replayPath = this.spool.replayPath;
        if (!existsSync(replayPath)) {
          if (!existsSync(this.spool.path)) break;
          renameSync(this.spool.path, replayPath);
          this.replayOffset = 0;
        }
        const owner = spoolDatabase(replayPath);
        if (owner !== undefined && owner !== this.options.databaseId) {
          // Never reached through a claimed slot; a file put there by hand is kept aside.
          renameSync(replayPath, `${replayPath}.foreign-${this.clock.now()}`);
          this.logger.error(
            { spool: replayPath },
            'usage recorder: spool of another database set aside',
          );
          continue;
        }
        if (!(await this.replayFile(replayPath))) return false;
        unlinkSync(replayPath);
        this.replayOffset = 0;
      }
      this.spoolPending = 0;
      this.spoolSince = 0;
      return true;
    } catch (err) {
      this.failed(err);
      return false;
    }
  }

  /** Stores one replay file's rows from `replayOffset` on; false when the database went away. */
  private async replayFile(file: string): Promise<boolean> {
    let batch: UsageRecord[] = [];
    let end = this.replayOffset;
    let count = 0;
    const storeBatch = async (): Promise<boolean> => {
      const { unwritten } = await this.store(batch);
      if (unwritten.length > 0) return false;
      this.replayOffset = end;
      this.spoolPending = Math.max(0, this.spoolPending - batch.length);
      this.stats.replayed += batch.length;
      count += batch.length;
      batch = [];
      return true;
    };
    for await (const next of readLinesWithOffsets(file, this.replayOffset)) {
      end = next.end;
      if (next.line.trim() === '' || isSpoolHeader(next.line)) continue;
      const record = parseSpoolLine(next.line);
      if (!record) {
        this.logger.warn('usage recorder: skipped a damaged spool line');
        continue;
      }
      batch.push(record);
      if (batch.length >= this.options.batchSize && !(await storeBatch())) return false;
    }
    if (batch.length > 0 && !(await storeBatch())) return false;
    this.replayOffset = end;
    if (count > 0) this.logger.info({ rows: count }, 'usage recorder: replayed spooled rows');
    return true;
  }

  /** Appends rows to the spool; `since`: when the oldest of them was queued (ms). */
  private toSpool(records: UsageRecord[], since: number, reason: string): void {
    if (records.length === 0) return;
    try {
      // Synchronous appends: never interleaved, and complete even during shutdown.
      this.spool.append(records.map(toSpoolLine).join(''));
      // After shutdown nobody replays here: leave the slot to the next start.
      if (this.closed) this.spool.release();
      this.stats.spooled += records.length;
      const queued = since || this.clock.now();
      this.spoolSince =
        this.spoolPending === 0 ? queued : Math.min(this.spoolSince || queued, queued);
      this.spoolPending += records.length;
      this.unreportedSpooled += records.length;
      // One line per 10 s while it lasts, not one per flush.
      if (this.clock.now() - this.lastSpoolLog >= SPOOL_LOG_EVERY_MS) {
        this.logger.warn(
          {
            rows: this.unreportedSpooled,
            reason,
            spool: this.spool.path,
            spooled_total: this.stats.spooled,
          },
          'usage recorder: rows spooled to disk',
        );
        this.lastSpoolLog = this.clock.now();
        this.unreportedSpooled = 0;
      }
    } catch (err) {
      // Disk failing too: keep what fits in memory, drop the oldest beyond that.
      this.bufferSince = Math.min(this.bufferSince || Infinity, since || this.clock.now());
      this.buffer.unshift(...records);
      const excess = this.buffer.length - this.options.bufferSize;
      if (excess > 0) {
        this.buffer.splice(0, excess);
        this.logger.error(
          { rows: excess, err: describeUsageWriteError(err) },
          'usage recorder: database and spool both failing; usage rows lost',
        );
      }
    }
  }

  /** A row the database refused: kept in the dead-letter file, never retried on its own. */
  private deadLetter(record: UsageRecord, err: unknown): void {
    const reason = describeUsageWriteError(err);
    this.stats.deadLettered++;
    this.lastProgress = this.clock.now();
    const file = this.spool.deadLetterPath;
    const fields = { id: record.id, request_id: record.requestId, error: reason, file };
    try {
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(
        file,
        deadLetterLine(record, this.options.databaseId, this.clock.now(), reason),
      );
      this.logger.error(fields, 'usage recorder: row refused by the database, dead-lettered');
    } catch (writeErr) {
      this.logger.error(
        { ...fields, write_error: describeUsageWriteError(writeErr) },
        'usage recorder: row refused by the database and the dead-letter file failed; row lost',
      );
    }
  }

  /** Looks for rows on disk (own slot or orphans); counts them; true when any. */
  private scanSpool(): boolean {
    this.lastOrphanScan = this.clock.now();
    try {
      const { own, orphans } = this.spool.waiting();
      this.orphans = orphans;
      if (own && this.spoolPending === 0) {
        // Rows from before this start: waiting since now, as far as this process knows.
        this.spoolPending = this.spool.countRows();
        this.spoolSince = this.clock.now();
      }
      return own || orphans.length > 0;
    } catch (err) {
      this.logger.warn({ err: describeUsageWriteError(err) }, 'usage recorder: spool scan failed');
      return false;
    }
  }

  /** Empties the buffer: its rows, and when the oldest of them was queued. */
  private takeBuffer(): [UsageRecord[], number] {
    const since = this.bufferSince;
    this.bufferSince = 0;
    return [this.buffer.splice(0), since];
  }

  private succeeded(): void {
    this.retryAt = 0;
    this.retryDelayMs = this.options.flushIntervalMs;
    this.lastProgress = this.clock.now();
  }

  private failed(err: unknown): void {
    this.stats.failures++;
    this.retryAt = this.clock.now() + this.retryDelayMs;
    this.logger.warn(
      { err: describeUsageWriteError(err), retry_in_ms: this.retryDelayMs },
      'usage recorder: database write failed',
    );
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, MAX_RETRY_DELAY_MS);
  }
}
