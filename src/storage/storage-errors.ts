import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';

/** What PostgreSQL's driver says when it has no working connection (it sets no code). */
const PG_CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection error|Connection refused|the database system is (starting up|shutting down)/i;

/**
 * SQLSTATE classes meaning "the server cannot take this now": 08 connection exception,
 * 53 insufficient resources, 57 operator intervention (shutdown, cancel), 58 system error.
 */
const PG_UNAVAILABLE_CLASSES = new Set(['08', '53', '57', '58']);

/** SQLite result codes meaning "not now" rather than "never". */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY|PROTOCOL)/;

/** A value the database refused as data (PostgreSQL class 22; SQLite mismatch, too big). */
const SQLITE_BAD_VALUE = /^SQLITE_(MISMATCH|TOOBIG|RANGE)/;

export const STORAGE_UNAVAILABLE_MESSAGE =
  "The gateway's database is unavailable; try again shortly.";

/**
 * Turns an error from our own database into a GatewayError, so it can never be taken for
 * an upstream failure (a pg `ECONNRESET` is not the provider's connection): an outage is
 * 503 `service_unavailable`, a value the database refused is 400, anything else 500.
 */
export function storageError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (isStorageUnavailable(err)) {
    return new GatewayError(ErrorCode.ServiceUnavailable, STORAGE_UNAVAILABLE_MESSAGE, {
      cause: err,
      retryAfter: '1',
    });
  }
  const code = codeOf(err);
  if (code !== undefined && (code.startsWith('22') || SQLITE_BAD_VALUE.test(code))) {
    return new GatewayError(ErrorCode.InvalidRequest, 'A value in the request cannot be stored.', {
      cause: err,
      wireCode: 'invalid_value',
    });
  }
  return new GatewayError(ErrorCode.Internal, 'The gateway hit an internal error.', {
    cause: err,
  });
}

/** True for a database that cannot be reached or cannot take work right now. */
export function isStorageUnavailable(err: unknown): boolean {
  if (err instanceof GatewayError) return err.code === ErrorCode.ServiceUnavailable;
  const code = codeOf(err);
  if (code !== undefined) {
    // Node system errors (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ENOTFOUND, EAI_AGAIN, …).
    if (/^E[A-Z_]+$/.test(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && PG_UNAVAILABLE_CLASSES.has(code.slice(0, 2))) return true;
    if (SQLITE_UNAVAILABLE.test(code)) return true;
  }
  return err instanceof Error && PG_CONNECTION_MESSAGES.test(err.message);
}

/** Runs one storage call, turning whatever it throws into a GatewayError (see storageError). */
export async function guardStorage<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw storageError(err);
  }
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
