/**
 * What a failed usage write says about the database:
 * - `unavailable`: it cannot be reached or cannot write right now (connection refused,
 *   reset or timed out, server shutting down, SQLite busy or locked, disk full): rows
 *   wait in the spool and the write is retried later;
 * - `rejected`: this data was refused (PostgreSQL SQLSTATE classes 22 data exception,
 *   23 integrity constraint, 54 program limit; SQLite constraint, mismatch, too big): the
 *   batch is split to find the row, which goes to the dead-letter file;
 * - `unknown`: anything else. The batch is split too; a single row that fails this way is
 *   dead-lettered only when other rows of the same batch were written (so the database
 *   takes rows and this one is the problem), otherwise it counts as unavailable.
 */
export type UsageWriteFailure = 'unavailable' | 'rejected' | 'unknown';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
]);

/** SQLSTATE classes: connection, resources, operator intervention, rollback, system error. */
const PG_UNAVAILABLE_CLASSES = new Set(['08', '53', '57', '40', '58', 'XX']);
const PG_REJECTED_CLASSES = new Set(['22', '23', '54']);

const SQLITE_UNAVAILABLE =
  /^SQLITE_(BUSY|LOCKED|IOERR|FULL|READONLY|CANTOPEN|PROTOCOL|NOMEM|CORRUPT|NOTADB)/;
const SQLITE_REJECTED = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)/;

/** pg's own errors carry no code: the connection ended, or a timeout fired. */
const UNAVAILABLE_MESSAGE =
  /connect|connection|terminated|timeout|timed out|not queryable|not open|ECONN|socket|pool/i;

export function classifyUsageWriteError(err: unknown): UsageWriteFailure {
  const code = errorCode(err);
  if (code !== undefined) {
    if (NETWORK_CODES.has(code)) return 'unavailable';
    if (/^[0-9A-Z]{5}$/.test(code)) {
      const cls = code.slice(0, 2);
      if (PG_REJECTED_CLASSES.has(cls)) return 'rejected';
      if (PG_UNAVAILABLE_CLASSES.has(cls)) return 'unavailable';
      return 'unknown';
    }
    if (SQLITE_REJECTED.test(code)) return 'rejected';
    if (SQLITE_UNAVAILABLE.test(code)) return 'unavailable';
  }
  const message = err instanceof Error ? err.message : String(err);
  return UNAVAILABLE_MESSAGE.test(message) ? 'unavailable' : 'unknown';
}

/** The code and a bounded message, for logs and the dead-letter file (never the row). */
export function describeUsageWriteError(err: unknown): { code?: string; message: string } {
  const message = (err instanceof Error ? err.message : String(err)).slice(0, 300);
  const code = errorCode(err);
  return code === undefined ? { message } : { code, message };
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
