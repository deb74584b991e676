import { toWireError } from './error-envelope.js';
import { ErrorCode } from './gateway-error.js';
import { toGatewayError } from './to-gateway-error.js';

describe('toGatewayError', () => {
  it.each(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_BODY_TIMEOUT'])(
    'never blames a provider for a bare %s: upstream reads are mapped where they happen',
    (code) => {
      const err = toGatewayError(Object.assign(new Error(`read ${code}`), { code }));
      expect(err.code).toBe(ErrorCode.Internal);
      const wire = toWireError(err);
      expect(wire.status).toBe(500);
      expect(wire.body.error.message).not.toMatch(/upstream|provider/i);
    },
  );
});
