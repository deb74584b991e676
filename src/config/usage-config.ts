import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
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
 * The `usage:` and `pricing:` sections of tollgate.yaml. `TOLLGATE_USAGE_RETENTION_DAYS`
 * (already parsed by the caller) wins over `usage.retention_days`. The spool file belongs
 * to one database: `<db file>.usage-spool.jsonl` next to a SQLite file, or
 * `./data/usage-spool-pg-<hash>.jsonl` for PostgreSQL (the hash of the URL without its
 * password), unless `usage.spool_path` says otherwise.
 */
export function loadUsageConfig(
  file: Record<string, unknown>,
  retentionDaysEnv: number | undefined,
  databaseUrl: string,
  providerNames: string[],
  problems: string[],
): UsageConfig {
  const section = file.usage;
  let u: Record<string, unknown> = {};
  if (section !== undefined && section !== null) {
    if (typeof section !== 'object' || Array.isArray(section)) {
      problems.push('config usage: must be a mapping');
    } else {
      u = section as Record<string, unknown>;
    }
  }
  const known = [
    'retention_days',
    'spool_path',
    'flush_interval_ms',
    'batch_size',
    'buffer_size',
    'stuck_after_s',
  ];
  for (const key of Object.keys(u)) {
    if (!known.includes(key)) {
      problems.push(`config usage.${key}: unknown setting (expected ${known.join(', ')})`);
    }
  }
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const v = u[key];
    if (v === undefined || v === null) return fallback;
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
      problems.push(`config usage.${key} must be an integer between ${min} and ${max}`);
      return fallback;
    }
    return v as number;
  };
  let spoolPath = defaultSpoolPath(databaseUrl);
  if (u.spool_path !== undefined && u.spool_path !== null) {
    if (typeof u.spool_path !== 'string' || u.spool_path === '') {
      problems.push('config usage.spool_path must be a file path');
    } else {
      spoolPath = u.spool_path;
    }
  }
  return {
    retentionDays: retentionDaysEnv ?? int('retention_days', 0, 0, 36_500),
    spoolPath,
    databaseId: databaseIdentity(databaseUrl),
    stuckAfterMs: int('stuck_after_s', 300, 1, 86_400) * 1_000,
    flushIntervalMs: int('flush_interval_ms', 1_000, 10, 60_000),
    batchSize: int('batch_size', 200, 1, 5_000),
    bufferSize: int('buffer_size', 20_000, 10, 1_000_000),
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
