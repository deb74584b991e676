import {
  appendFileSync,
  closeSync,
  createReadStream,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { UsageRecord } from './usage-record.js';
import { sanitizeUsageRecord } from './sanitize-usage-record.js';

/**
 * The spool's files on disk. Every file starts with a header naming the database its rows
 * belong to; rows are replayed only into that database. One process at a time owns a
 * spool file, through `<file>.lock` (created exclusively, holding pid, host and a token).
 *
 * Slots: the configured path is slot 0 (`usage-spool-….jsonl`); when its lock is held by
 * a live process, the next free `….1.jsonl`, `….2.jsonl`, … is used. A lock is stale, and
 * taken over, when its pid is dead on this host or it has not been refreshed for
 * `LOCK_STALE_MS` (other hosts or PID namespaces sharing the directory). Slots whose owner
 * is gone are adopted: their rows are copied into the adopter's own spool (replays skip
 * ids already stored, so a copy interrupted by a crash does no harm) and the files removed.
 */
export const SPOOL_FORMAT = 'tollgate-usage-spool';
export const LOCK_REFRESH_MS = 30_000;
export const LOCK_STALE_MS = 120_000;

export interface SpoolHeader {
  format: typeof SPOOL_FORMAT;
  version: 1;
  /** Short hash of the database identity (see `databaseIdentity`). */
  database: string;
}

interface LockContent {
  pid: number;
  host: string;
  token: string;
}

/** Locks this process holds, so a second recorder in it does not mistake one for stale. */
const heldHere = new Set<string>();

export function spoolHeaderLine(database: string): string {
  const header: SpoolHeader = { format: SPOOL_FORMAT, version: 1, database };
  return `${JSON.stringify(header)}\n`;
}

/** Which database a spool file belongs to: its header's, `undefined` for an empty file. */
export function spoolDatabase(file: string): string | null | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(512);
    const n = readSync(fd, buf, 0, buf.length, 0);
    if (n === 0) return undefined;
    const first = buf.subarray(0, n).toString('utf8').split('\n')[0];
    const h = JSON.parse(first) as Partial<SpoolHeader>;
    return h.format === SPOOL_FORMAT && typeof h.database === 'string' ? h.database : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // No header: written by something else (or an older version); never replayed.
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function isSpoolHeader(line: string): boolean {
  return line.startsWith(`{"format":"${SPOOL_FORMAT}"`);
}

/** The path of slot `n` of a spool path: `x.jsonl` → `x.1.jsonl`. */
export function slotPath(base: string, n: number): string {
  if (n === 0) return base;
  const { stem, ext } = splitExt(base);
  return `${stem}.${n}${ext}`;
}

/** The dead-letter file of a spool file: `x.jsonl` → `x.dead-letter.jsonl`. */
export function deadLetterPath(spool: string): string {
  return `${splitExt(spool).stem}.dead-letter.jsonl`;
}

export interface SpoolEvents {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** One process's spool: its own slot, adopted orphans, and the lock that proves ownership. */
export class UsageSpool {
  private slot?: { path: string; lock: string; token: string };
  private lastRefresh = 0;

  constructor(
    private readonly base: string,
    readonly database: string,
    private readonly events: SpoolEvents,
    private readonly now: () => number = Date.now,
  ) {}

  /** The file this process appends to (claiming a slot on first use). */
  get path(): string {
    return this.claim().path;
  }

  get replayPath(): string {
    return `${this.path}.replay`;
  }

  get deadLetterPath(): string {
    return deadLetterPath(this.path);
  }

  /** Whether this process holds a slot. */
  get claimed(): boolean {
    return this.slot !== undefined;
  }

  /** Appends rows (header first on a new file). Throws when the disk does. */
  append(lines: string): void {
    const path = this.path;
    mkdirSync(dirname(path), { recursive: true });
    const fresh = !existsSync(path) || statSync(path).size === 0;
    appendFileSync(path, fresh ? spoolHeaderLine(this.database) + lines : lines);
  }

  /**
   * Slots of this spool with rows waiting: this process's own, and those whose owner is
   * gone (by lock) and that belong to this database. Looks at the directory only.
   */
  waiting(): { own: boolean; orphans: string[] } {
    let orphans = this.orphanSlots();
    if (orphans.length > 0 && !this.slot) {
      this.claim(); // may take over one of them as this process's own slot
      orphans = this.orphanSlots();
    }
    const own =
      this.slot !== undefined &&
      (existsSync(this.slot.path) || existsSync(`${this.slot.path}.replay`));
    return { own, orphans };
  }

  /**
   * Takes over an orphaned slot: its lock, then its rows (copied into this process's spool
   * file), then removes its files. Returns how many rows were adopted.
   */
  async adopt(other: string): Promise<number> {
    const lock = this.tryLock(other);
    if (!lock) return 0;
    let rows = 0;
    try {
      for (const file of [`${other}.replay`, other]) {
        const db = spoolDatabase(file);
        if (db === undefined) continue;
        if (db !== this.database) return rows; // not ours after all: leave it alone
        for await (const line of readLines(file)) {
          if (line === '' || isSpoolHeader(line)) continue;
          this.append(`${line}\n`);
          rows++;
        }
        unlinkSync(file);
      }
      return rows;
    } finally {
      this.unlock(lock);
    }
  }

  /** Rows in this process's own files (lines less headers), read once at start. */
  countRows(): number {
    if (!this.slot) return 0;
    let rows = 0;
    for (const file of [`${this.slot.path}.replay`, this.slot.path]) {
      if (!existsSync(file)) continue;
      const fd = openSync(file, 'r');
      try {
        const buf = Buffer.alloc(1 << 16);
        let n: number;
        let lines = 0;
        let last = 0x0a;
        while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) {
          for (let i = 0; i < n; i++) if (buf[i] === 0x0a) lines++;
          last = buf[n - 1];
        }
        if (last !== 0x0a) lines++; // a last line without its newline
        rows += Math.max(0, lines - (spoolDatabase(file) ? 1 : 0));
      } finally {
        closeSync(fd);
      }
    }
    return rows;
  }

  /** Keeps the lock fresh (its mtime), so nobody mistakes a live owner for a dead one. */
  refresh(): void {
    if (!this.slot || this.now() - this.lastRefresh < LOCK_REFRESH_MS) return;
    this.lastRefresh = this.now();
    try {
      const t = new Date(this.now());
      utimesSync(this.slot.lock, t, t);
    } catch {
      // Gone or unwritable: the next claim sorts it out.
    }
  }

  /** Gives the slot up (its files stay for whoever comes next). */
  release(): void {
    if (!this.slot) return;
    this.unlock(this.slot);
    this.slot = undefined;
  }

  private claim(): { path: string; lock: string; token: string } {
    if (this.slot) return this.slot;
    for (let n = 0; n < 1_000; n++) {
      const path = slotPath(this.base, n);
      // A file of another database (or without a header) at this path is never touched.
      const owners = [path, `${path}.replay`].map(spoolDatabase);
      if (owners.some((db) => db !== undefined && db !== this.database)) {
        if (n === 0) {
          this.events.warn(
            { spool: path },
            'usage spool: file belongs to another database (or has no header); not replayed, using another slot',
          );
        }
        continue;
      }
      const lock = this.tryLock(path);
      if (lock) {
        this.slot = lock;
        this.lastRefresh = this.now();
        return lock;
      }
    }
    throw new Error(`usage spool: no free slot for ${this.base}`);
  }

  /** Exclusive lock of one slot, taking over a stale one; undefined when a live process has it. */
  private tryLock(path: string): { path: string; lock: string; token: string } | undefined {
    const lock = `${path}.lock`;
    const token = randomBytes(8).toString('hex');
    const content: LockContent = { pid: process.pid, host: hostname(), token };
    mkdirSync(dirname(path), { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(lock, 'wx');
        try {
          writeSync(fd, JSON.stringify(content));
        } finally {
          closeSync(fd);
        }
        heldHere.add(lock);
        return { path, lock, token };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const held = readLock(lock);
      if (held === 'gone') continue;
      if (!this.stale(lock, held)) return undefined;
      // Move the stale lock aside (only one taker can), then check it was the one judged
      // stale: if a live owner's fresh lock was moved instead, put it back.
      const aside = `${lock}.stale-${token}`;
      try {
        renameSync(lock, aside);
      } catch {
        continue;
      }
      const moved = readLock(aside);
      if (held !== undefined && moved !== 'gone' && moved?.token !== held.token) {
        try {
          linkSync(aside, lock);
        } catch {
          // Someone locked meanwhile; the moved owner's next refresh fails quietly.
        }
        unlinkQuiet(aside);
        return undefined;
      }
      unlinkQuiet(aside);
      this.events.warn({ lock, pid: held?.pid }, 'usage spool: took over a stale lock');
    }
    return undefined;
  }

  private stale(lock: string, held: LockContent | undefined): boolean {
    let age: number;
    try {
      age = this.now() - statSync(lock).mtimeMs;
    } catch {
      return false;
    }
    if (held === undefined) return age > LOCK_STALE_MS; // half-written: give its writer time
    if (held.host === hostname()) {
      if (held.pid === process.pid) return !heldHere.has(lock);
      if (!alive(held.pid)) return true;
    }
    return age > LOCK_STALE_MS;
  }

  private unlock(slot: { lock: string; token: string }): void {
    heldHere.delete(slot.lock);
    const held = readLock(slot.lock);
    if (held !== 'gone' && held?.token === slot.token) unlinkQuiet(slot.lock);
  }

  private orphanSlots(): string[] {
    let names: string[];
    try {
      names = readdirSync(dirname(this.base));
    } catch {
      return [];
    }
    const { stem, ext } = splitExt(basename(this.base));
    const pattern = new RegExp(
      `^${escapeRegExp(stem)}(?:\\.(\\d+))?${escapeRegExp(ext)}(?:\\.replay)?$`,
    );
    const slots = new Set<number>();
    for (const name of names) {
      const m = pattern.exec(name);
      if (m) slots.add(m[1] === undefined ? 0 : Number(m[1]));
    }
    const orphans: string[] = [];
    for (const n of [...slots].sort((a, b) => a - b)) {
      const path = slotPath(this.base, n);
      if (path === this.slot?.path) continue;
      const owners = [path, `${path}.replay`].map(spoolDatabase);
      if (owners.some((db) => db !== undefined && db !== this.database)) continue;
      const held = readLock(`${path}.lock`);
      if (held === 'gone' || this.stale(`${path}.lock`, held)) orphans.push(path);
    }
    return orphans;
  }
}

function splitExt(name: string): { stem: string; ext: string } {
  const m = /^(.*?)(\.jsonl)?$/.exec(name)!;
  return { stem: m[1], ext: m[2] ?? '' };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function readLock(lock: string): LockContent | undefined | 'gone' {
  try {
    const o = JSON.parse(readFileSync(lock, 'utf8')) as Partial<LockContent>;
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.token === 'string') {
      return o as LockContent;
    }
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/**
 * The lines of a file with the byte offset just past each, read as bytes so offsets stay
 * exact even when a damaged line is not valid UTF-8. `start` resumes mid-file.
 */
export async function* readLinesWithOffsets(
  file: string,
  start = 0,
): AsyncGenerator<{ line: string; end: number }> {
  let pending: Buffer = Buffer.alloc(0);
  let offset = start;
  for await (const chunk of createReadStream(file, { start })) {
    pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
    let nl: number;
    while ((nl = pending.indexOf(0x0a)) !== -1) {
      offset += nl + 1;
      yield { line: pending.subarray(0, nl).toString('utf8'), end: offset };
      pending = pending.subarray(nl + 1);
    }
  }
  if (pending.length > 0) {
    offset += pending.length;
    yield { line: pending.toString('utf8'), end: offset };
  }
}

async function* readLines(file: string): AsyncGenerator<string> {
  for await (const { line } of readLinesWithOffsets(file)) yield line;
}

/** One line of the spool format: the row, camelCase, `costNanos` as a decimal string. */
export function toSpoolLine(r: UsageRecord): string {
  return `${JSON.stringify({ ...r, costNanos: r.costNanos === null ? null : r.costNanos.toString() })}\n`;
}

/** A spooled row, sanitised (lines written before sanitising existed may need it). */
export function parseSpoolLine(line: string): UsageRecord | undefined {
  try {
    const o = JSON.parse(line) as UsageRecord & { costNanos: string | null };
    if (typeof o !== 'object' || o === null || typeof o.id !== 'string') return undefined;
    return sanitizeUsageRecord({
      ...o,
      costNanos: o.costNanos === null ? null : BigInt(o.costNanos),
    });
  } catch {
    return undefined;
  }
}

/** Where a spool line of a row sits in the dead-letter file: the row and why it was refused. */
export function deadLetterLine(
  record: UsageRecord,
  database: string,
  at: number,
  reason: { code?: string; message: string },
): string {
  return `${JSON.stringify({
    failed_at: new Date(at).toISOString(),
    database,
    error: reason,
    record: JSON.parse(toSpoolLine(record)) as unknown,
  })}\n`;
}
