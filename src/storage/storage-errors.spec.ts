import pg from 'pg';
import { toWireError } from '../common/errors/error-envelope.js';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { toGatewayError } from '../common/errors/to-gateway-error.js';
import { guardStorage, isStorageUnavailable, storageError } from './storage-errors.js';

const withCode = (message: string, code: string): Error =>
  Object.assign(new Error(message), { code });

describe('storageError', () => {
  it.each(
    [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('connection failure', '08006'),
      withCode('too many connections', '53300'),
      withCode('database is locked', 'SQLITE_BUSY'),
      withCode('disk I/O error', 'SQLITE_IOERR_WRITE'),
    ].map((err) => [err.message, err]),
  )('makes an unreachable database a 503 service_unavailable: %s', (_message, err) => {
    expect(isStorageUnavailable(err)).toBe(true);
    const wire = toWireError(toGatewayError(storageError(err)));
    expect(wire.status).toBe(503);
    expect(wire.body.error).toMatchObject({
      type: 'service_unavailable_error',
      code: 'service_unavailable',
    });
    expect(wire.body.error.message).not.toMatch(/upstream|provider/i);
  });

  it('refuses a value the database cannot store with 400, and keeps anything else a 500', () => {
    expect(storageError(withCode('integer out of range', '22003')).code).toBe(
      ErrorCode.InvalidRequest,
    );
    expect(storageError(withCode('duplicate key', '23505')).code).toBe(ErrorCode.Internal);
    expect(storageError(new TypeError('x is undefined')).code).toBe(ErrorCode.Internal);
  });

  it('is what a real connection failure of the PostgreSQL driver becomes', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    try {
      const err = await guardStorage(pool.query('select 1')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).code).toBe(ErrorCode.ServiceUnavailable);
      // Unwrapped, the same error would have been named an upstream failure.
      expect(toGatewayError((err as GatewayError).cause).code).not.toBe(
        ErrorCode.ServiceUnavailable,
      );
    } finally {
      await pool.end();
    }
  });
});
