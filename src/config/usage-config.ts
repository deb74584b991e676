import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { ConfigFile } from './config-file.schema.js';
import { parsePriceOverrides, type PriceOverrides } from './pricing-config.js';

export interface UsageConfig {
  /** Rows older than this many days are deleted; 0 keeps them forever. */
  retentionDays: number;
  /** Where rows wait (JSON lines) while the database cannot take them. */
  spoolPath: string;
  /**
   * Which database the spool's rows belong to (a short hash, see `databaseIdentity`):
   * written in each spool file's header, checked before a replay.
   */
  databaseId: string;
  /** `/ready` answers 503 once unwritten rows are this old and nothing was written meanwhile. */
  stuckAfterMs: number;
  /** A batch is written at least this often. */
  flushIntervalMs: number;
  /**
   * …or as soon as this many rows are waiting. 200 keeps a synchronous SQLite write
   * near 2 ms (about 10 µs a row); larger batches save little and stall the event loop.
   */
  batchSize: number;
  /** Rows kept in memory at most; beyond that they go to the spool file at once. */
  bufferSize: number;
  pricing: PriceOverrides;
}

/**
 * The `usage:` and `pricing:` sections of tollgate.yaml, as the schema accepted them. `TOLLGATE_USAGE_RETENTION_DAYS`
 * (already parsed by the caller) wins over `usage.retention_days`. The spool file belongs
 * to one database: `<db file>.usage-spool.jsonl` next to a SQLite file, or
 * `./data/usage-spool-pg-<hash>.jsonl` for PostgreSQL (the hash of the URL without its
 * password), unless `usage.spool_path` says otherwise.
 */
export function loadUsageConfig(
  file: ConfigFile,
  retentionDaysEnv: number | undefined,
  databaseUrl: string,
  providerNames: string[],
  problems: string[],
): UsageConfig {
  const u = file.usage ?? {};
  return {
    retentionDays: retentionDaysEnv ?? u.retention_days ?? 0,
    spoolPath: u.spool_path ?? defaultSpoolPath(databaseUrl),
    databaseId: databaseIdentity(databaseUrl),
    stuckAfterMs: (u.stuck_after_s ?? 300) * 1_000,
    flushIntervalMs: u.flush_interval_ms ?? 1_000,
    batchSize: u.batch_size ?? 200,
    bufferSize: u.buffer_size ?? 20_000,
    pricing: parsePriceOverrides(file.pricing, providerNames, problems),
  };
}

function defaultSpoolPath(databaseUrl: string): string {
  const sqlite = sqliteFile(databaseUrl);
  if (sqlite === ':memory:') {
    // Nothing of an in-memory database outlives its process: neither does its spool.
    return join(tmpdir(), `tollgate-usage-spool-memory-${process.pid}.jsonl`);
  }
  if (sqlite !== undefined) return join(dirname(sqlite), `${basename(sqlite)}.usage-spool.jsonl`);
  return join('data', `usage-spool-pg-${databaseIdentity(databaseUrl)}.jsonl`);
}

function sqliteFile(databaseUrl: string): string | undefined {
  const m = /^sqlite:(.*)$/.exec(databaseUrl);
  if (!m) return undefined;
  return m[1] === '' || m[1] === ':memory:' ? ':memory:' : m[1].replace(/^\/\/(?=\/)/, '');
}

/**
 * A short, credential-free hash naming one database. PostgreSQL: user, host, port,
 * database and options (a schema in `search_path` is another database here), password
 * left out. SQLite: the file's name; its spool sits beside it, so the pair moves together
 * when the directory is mounted elsewhere. In-memory SQLite: this process.
 */
export function databaseIdentity(databaseUrl: string): string {
  const sqlite = sqliteFile(databaseUrl);
  let identity: string;
  if (sqlite === ':memory:') {
    identity = `sqlite::memory:#${process.pid}`;
  } else if (sqlite !== undefined) {
    identity = `sqlite:${basename(resolve(sqlite))}`;
  } else {
    try {
      const u = new URL(databaseUrl);
      const params = [...u.searchParams]
        .filter(([k]) => !/pass|key|cert/i.test(k))
        .sort(([a], [b]) => a.localeCompare(b));
      const port = u.port || '5432';
      identity = `postgres://${decodeURIComponent(u.username)}@${u.hostname.toLowerCase()}:${port}${u.pathname}?${new URLSearchParams(params).toString()}`;
    } catch {
      identity = databaseUrl.replace(/:[^:@/]*@/, '@');
    }
  }
  return createHash('sha256').update(identity).digest('hex').slice(0, 12);
}
