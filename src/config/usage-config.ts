import { dirname, join } from 'node:path';
import { parsePriceOverrides, type PriceOverrides } from '../usage/pricing.js';

export interface UsageConfig {
  /** Rows older than this many days are deleted; 0 keeps them forever. */
  retentionDays: number;
  /** Where rows wait (JSON lines) while the database cannot take them. */
  spoolPath: string;
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
 * (already parsed by the caller) wins over `usage.retention_days`. The spool file sits
 * next to the SQLite database, or in ./data for PostgreSQL, unless `usage.spool_path`
 * says otherwise.
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
  const known = ['retention_days', 'spool_path', 'flush_interval_ms', 'batch_size', 'buffer_size'];
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
    flushIntervalMs: int('flush_interval_ms', 1_000, 10, 60_000),
    batchSize: int('batch_size', 200, 1, 5_000),
    bufferSize: int('buffer_size', 20_000, 10, 1_000_000),
    pricing: parsePriceOverrides(file.pricing, providerNames, problems),
  };
}

function defaultSpoolPath(databaseUrl: string): string {
  const m = /^sqlite:(.+)$/.exec(databaseUrl);
  if (m && m[1] !== ':memory:') return join(dirname(m[1]), 'usage-spool.jsonl');
  return join('data', 'usage-spool.jsonl');
}
