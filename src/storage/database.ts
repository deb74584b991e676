import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { StorageSchema } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';
export type SqliteDriver = import('better-sqlite3').Database;

/**
 * An open database: the Kysely handle and which dialect it speaks. Injected (as
 * `DATABASE`) into repositories and nowhere else.
 */
export interface Database {
  readonly db: Kysely<StorageSchema>;
  readonly dialect: Dialect;
  /** Human-readable location without credentials, for logs. */
  readonly location: string;
  /** SQLite only: the driver, for repositories' prepared-statement fast paths. */
  readonly sqlite?: SqliteDriver;
  close(): Promise<void>;
}

export const DATABASE = Symbol('DATABASE');

export interface OpenOptions {
  /**
   * SQLite: how long a write waits for another connection's lock. better-sqlite3 waits
   * synchronously, blocking the event loop, so this stays short; the usage recorder
   * retries later instead.
   */
  sqliteBusyTimeoutMs?: number;
  /** Called with errors of idle PostgreSQL connections (which would otherwise crash). */
  onPoolError?: (err: Error) => void;
}

/** Parses `sqlite:<path>` (`sqlite::memory:` too) or `postgres://…` and opens it. */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), options);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options);
  throw new Error('DATABASE_URL must start with sqlite: or postgres://');
}

async function openSqlite(path: string, options: OpenOptions): Promise<Database> {
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const memory = path === ':memory:' || path === '';
  const file = memory ? ':memory:' : resolve(path.replace(/^\/\/(?=\/)/, ''));
  if (!memory) mkdirSync(dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file, { timeout: options.sqliteBusyTimeoutMs ?? 250 });
  if (!memory) sqlite.pragma('journal_mode = WAL');
  // WAL + NORMAL: durable across process crashes, may lose the last commits on power loss.
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<StorageSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    location: memory ? 'sqlite::memory:' : `sqlite:${file}`,
    close: () => db.destroy(),
  };
}

const INT8_OID = 20;

async function openPostgres(url: string, options: OpenOptions): Promise<Database> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A dead server must fail a query, not hang it: the recorder then spools.
    query_timeout: 30_000,
    // int8 (counts, epoch-ms times, nano-dollar costs per row) fits a double exactly up to
    // 2^53; aggregated money is summed in SQL and read back as text.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
        oid === INT8_OID && format !== 'binary'
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A connection that dies emits 'error' on its client, idle (the pool's listener) or
  // checked out (nobody's, which would crash the process). The failed query rejects on
  // its own and the pool discards the client when it is released.
  const onError = (err: Error): void => options.onPoolError?.(err);
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  const db = new Kysely<StorageSchema>({ dialect: new PostgresDialect({ pool }) });
  const where = new URL(url);
  return {
    db,
    dialect: 'postgres',
    location: `postgres://${where.host}${where.pathname}`,
    close: () => db.destroy(),
  };
}
