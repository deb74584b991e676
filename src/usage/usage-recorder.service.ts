import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { createReadStream, existsSync } from 'node:fs';
import { appendFileSync, mkdirSync, renameSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { CLOCK, type Clock } from '../common/clock/clock.js';
import { LOGGER } from '../logging/logging.module.js';
import type { UsageRecord } from './usage-record.js';
import { UsageRepository } from './usage.repository.js';

export interface UsageRecorderOptions {
  spoolPath: string;
  flushIntervalMs: number;
  batchSize: number;
  bufferSize: number;
}

export const USAGE_RECORDER_OPTIONS = Symbol('USAGE_RECORDER_OPTIONS');

const MAX_RETRY_DELAY_MS = 30_000;
const SPOOL_LOG_EVERY_MS = 10_000;

/**
 * Writes usage rows off the request path: `record()` only appends to an in-memory buffer,
 * which is written in multi-row batches when it reaches `batchSize` or every
 * `flushIntervalMs`. One flush runs at a time.
 *
 * While the database cannot take rows they go to a local spool file (JSON lines, one
 * record each, `costNanos` as a string), also when the buffer would outgrow `bufferSize`.
 * Once a write succeeds again the spool is replayed first. Rows carry their own id and
 * are inserted ignoring duplicates, so a batch that was written but reported as failed
 * (or a replay cut short) is never stored twice. At shutdown the buffer is flushed, or
 * spooled when the database is down; rows that arrive after that go straight to the spool.
 */
@Injectable()
export class UsageRecorder
  implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown
{
  private buffer: UsageRecord[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private flushQueued = false;
  private closed = false;
  /** While the database is failing, the next attempt waits until this time (ms). */
  private retryAt = 0;
  private retryDelayMs: number;
  private readonly replayPath: string;
  private readonly stats = { written: 0, spooled: 0, replayed: 0, failures: 0 };
  private lastSpoolLog = -Infinity;
  private unreportedSpooled = 0;

  constructor(
    private readonly repository: UsageRepository,
    @Inject(USAGE_RECORDER_OPTIONS) private readonly options: UsageRecorderOptions,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.replayPath = `${options.spoolPath}.replay`;
    this.retryDelayMs = options.flushIntervalMs;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
    if (this.hasSpool()) void this.flush();
  }

  /** Queues one row; never waits, never throws. */
  record(record: UsageRecord): void {
    if (this.closed) {
      this.spool([record], 'after shutdown');
      return;
    }
    this.buffer.push(record);
    if (this.buffer.length >= this.options.bufferSize) {
      // Writes are not keeping up: keep memory bounded, the spool is replayed later.
      this.spool(this.buffer.splice(0), 'buffer full');
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
        this.logger.error({ err: describe(err) }, 'usage recorder: flush failed');
      });
    return this.chain;
  }

  /** Counters for logs and tests. */
  counters(): Readonly<typeof this.stats> & { buffered: number } {
    return { ...this.stats, buffered: this.buffer.length };
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
    if (this.buffer.length > 0) this.spool(this.buffer.splice(0), 'shutdown');
  }

  private async writeOut(): Promise<void> {
    this.flushQueued = false;
    if (this.clock.now() < this.retryAt) {
      // Database known to be down: do not pay a failing round trip per interval.
      if (this.buffer.length > 0) this.spool(this.buffer.splice(0), 'database unavailable');
      return;
    }
    if (this.hasSpool() && !(await this.replay())) {
      if (this.buffer.length > 0) this.spool(this.buffer.splice(0), 'database unavailable');
      return;
    }
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.options.batchSize);
      try {
        await this.repository.insertMany(batch);
        this.stats.written += batch.length;
        this.succeeded();
      } catch (err) {
        this.failed(err);
        this.spool([...batch, ...this.buffer.splice(0)], 'database unavailable');
        return;
      }
    }
  }

  /** Re-inserts spooled rows; true when the spool is empty afterwards. */
  private async replay(): Promise<boolean> {
    try {
      if (!existsSync(this.replayPath)) renameSync(this.options.spoolPath, this.replayPath);
      let batch: UsageRecord[] = [];
      let count = 0;
      const lines = createInterface({ input: createReadStream(this.replayPath, 'utf8') });
      for await (const line of lines) {
        const record = parseSpoolLine(line);
        if (!record) {
          if (line.trim() !== '') this.logger.warn('usage recorder: skipped a damaged spool line');
          continue;
        }
        batch.push(record);
        if (batch.length >= this.options.batchSize) {
          await this.repository.insertMany(batch);
          count += batch.length;
          batch = [];
        }
      }
      if (batch.length > 0) await this.repository.insertMany(batch);
      count += batch.length;
      unlinkSync(this.replayPath);
      this.stats.replayed += count;
      this.succeeded();
      this.logger.info({ rows: count }, 'usage recorder: replayed spooled rows');
      // Rows spooled while this replay ran (buffer overflow) are picked up next time.
      return !existsSync(this.options.spoolPath) || this.replay();
    } catch (err) {
      this.failed(err);
      return false;
    }
  }

  private spool(records: UsageRecord[], reason: string): void {
    if (records.length === 0) return;
    try {
      mkdirSync(dirname(this.options.spoolPath), { recursive: true });
      // Synchronous appends: never interleaved, and complete even during shutdown.
      appendFileSync(this.options.spoolPath, records.map(toSpoolLine).join(''));
      this.stats.spooled += records.length;
      this.unreportedSpooled += records.length;
      // One line per 10 s while it lasts, not one per flush.
      if (this.clock.now() - this.lastSpoolLog >= SPOOL_LOG_EVERY_MS) {
        this.logger.warn(
          {
            rows: this.unreportedSpooled,
            reason,
            spool: this.options.spoolPath,
            spooled_total: this.stats.spooled,
          },
          'usage recorder: rows spooled to disk',
        );
        this.lastSpoolLog = this.clock.now();
        this.unreportedSpooled = 0;
      }
    } catch (err) {
      // Disk failing too: keep what fits in memory, drop the oldest beyond that.
      this.buffer.unshift(...records);
      const excess = this.buffer.length - this.options.bufferSize;
      if (excess > 0) {
        this.buffer.splice(0, excess);
        this.logger.error(
          { rows: excess, err: describe(err) },
          'usage recorder: database and spool both failing; usage rows lost',
        );
      }
    }
  }

  private hasSpool(): boolean {
    return existsSync(this.options.spoolPath) || existsSync(this.replayPath);
  }

  private succeeded(): void {
    this.retryAt = 0;
    this.retryDelayMs = this.options.flushIntervalMs;
  }

  private failed(err: unknown): void {
    this.stats.failures++;
    this.retryAt = this.clock.now() + this.retryDelayMs;
    this.logger.warn(
      { err: describe(err), retry_in_ms: this.retryDelayMs },
      'usage recorder: database write failed',
    );
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, MAX_RETRY_DELAY_MS);
  }
}

export function toSpoolLine(r: UsageRecord): string {
  return `${JSON.stringify({ ...r, costNanos: r.costNanos === null ? null : r.costNanos.toString() })}\n`;
}

export function parseSpoolLine(line: string): UsageRecord | undefined {
  try {
    const o = JSON.parse(line) as UsageRecord & { costNanos: string | null };
    if (typeof o !== 'object' || o === null || typeof o.id !== 'string') return undefined;
    return { ...o, costNanos: o.costNanos === null ? null : BigInt(o.costNanos) };
  } catch {
    return undefined;
  }
}

function describe(err: unknown): Record<string, unknown> {
  return err instanceof Error ? { name: err.name, message: err.message } : { value: String(err) };
}
