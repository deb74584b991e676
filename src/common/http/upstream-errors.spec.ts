import { toWireError } from '../errors/error-envelope.js';
import {
  clientStatusForUpstream,
  redactSecrets,
  retryAfterFrom,
  retryAfterMsFrom,
  upstreamError,
} from './upstream-errors.js';

describe('upstream errors', () => {
  it('maps upstream statuses to client statuses', () => {
    expect(
      [400, 401, 403, 404, 413, 422, 429, 500, 502, 503, 504, 529, 520].map(
        clientStatusForUpstream,
      ),
    ).toEqual([400, 401, 403, 404, 413, 422, 429, 500, 502, 503, 504, 503, 502]);
  });

  it('takes retry-after in seconds, or converts retry-after-ms', () => {
    expect(retryAfterFrom({ 'retry-after': '7' })).toBe('7');
    expect(retryAfterFrom({ 'retry-after-ms': '1200' })).toBe('2');
    expect(retryAfterFrom({})).toBeUndefined();
  });

  it('redacts configured secrets and anything key-shaped', () => {
    const msg = 'bad key sk-proj-abcdefghijklmnop and AIzaSyA1234567890abcdef and mysecretvalue';
    expect(redactSecrets(msg, ['mysecretvalue'])).toBe(
      'bad key [redacted] and [redacted] and [redacted]',
    );
  });

  it('keeps the upstream message, type and code, and passes retry-after on', () => {
    const err = upstreamError(
      'openai',
      429,
      { 'retry-after': '20' },
      { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' },
      [],
    );
    expect(toWireError(err)).toEqual({
      status: 429,
      retryAfter: '20',
      body: {
        error: { message: 'slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' },
      },
    });
  });

  it('rewords an upstream 401 so neither the key nor blame on the caller leaks', () => {
    const wire = toWireError(
      upstreamError(
        'groq',
        401,
        {},
        { message: 'Invalid API Key gsk_abcdefghijkl', code: 'invalid_api_key' },
        [],
      ),
    );
    expect(wire.status).toBe(401);
    expect(wire.body.error.message).toBe(
      "The upstream provider 'groq' rejected the gateway's credentials for it.",
    );
    expect(wire.body.error.code).toBe('upstream_authentication_error');
  });
});

describe('retryAfterMsFrom', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  it.each([
    [{ 'retry-after': '3' }, 3_000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after': 'Tue, 01 Dec 2026 12:00:20 GMT' }, 20_000],
    [{ 'retry-after': 'Tue, 01 Dec 2026 11:59:00 GMT' }, 0],
    [{ 'retry-after-ms': '1500', 'retry-after': '9' }, 1_500],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('%j → %s ms', (headers, expected) => {
    expect(retryAfterMsFrom(headers, now)).toBe(expected);
  });

  it('is carried on the upstream error with the status the upstream meant', () => {
    const err = upstreamError('anthropic', 529, { 'retry-after': '2' }, {}, []);
    expect([err.status, err.upstreamStatus, err.retryAfterMs, err.retryAfter]).toEqual([
      503,
      529,
      2_000,
      '2',
    ]);
  });
});
