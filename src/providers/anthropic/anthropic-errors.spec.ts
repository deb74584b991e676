import { toWireError } from '../../common/errors/error-envelope.js';
import { upstreamError } from '../../common/http/upstream-errors.js';
import { fixture } from '../../../test/support/fixtures.js';
import {
  anthropicStreamError,
  parseAnthropicError,
  statusForAnthropicErrorType,
} from './anthropic-errors.js';

const SECRET = 'sk-ant-api03-upstream-secret-0000000000';

/** What a client receives for an Anthropic error response with this status and body. */
function clientSees(status: number, body: string, headers: Record<string, string> = {}) {
  return toWireError(
    upstreamError('anthropic', status, headers, parseAnthropicError(body), [SECRET]),
  );
}

describe('Anthropic error responses → OpenAI envelope', () => {
  it.each([
    [400, 'error-400-invalid-request.json', 400, 'invalid_request_error', null],
    [
      401,
      'error-401-authentication.json',
      401,
      'authentication_error',
      'upstream_authentication_error',
    ],
    [403, 'error-403-permission.json', 403, 'permission_error', null],
    [404, 'error-404-not-found.json', 404, 'invalid_request_error', null],
    [413, 'error-413-request-too-large.json', 413, 'invalid_request_error', null],
    [429, 'error-429-rate-limit.json', 429, 'rate_limit_error', 'rate_limit_exceeded'],
    [500, 'error-500-api.json', 500, 'server_error', null],
    [529, 'error-529-overloaded.json', 503, 'server_error', null],
  ])('%i (%s) → %i %s', (status, file, clientStatus, type, code) => {
    const wire = clientSees(status, fixture(`anthropic/${file}`));
    expect(wire.status).toBe(clientStatus);
    expect(wire.body.error).toMatchObject({ type, code, param: null });
    expect(wire.body).toMatchSnapshot();
  });

  it('keeps retry-after', () => {
    expect(
      clientSees(429, fixture('anthropic/error-429-rate-limit.json'), { 'retry-after': '17' })
        .retryAfter,
    ).toBe('17');
  });

  it("never echoes the gateway's key", () => {
    const body = JSON.stringify({
      type: 'error',
      error: { type: 'invalid_request_error', message: `bad key ${SECRET} in header` },
    });
    expect(JSON.stringify(clientSees(400, body))).not.toContain(SECRET);
  });

  it('keeps the text of a body that is not Anthropic JSON', () => {
    expect(parseAnthropicError('<html>502 Bad Gateway</html>')).toEqual({
      message: '<html>502 Bad Gateway</html>',
    });
    expect(parseAnthropicError('')).toEqual({});
  });
});

describe('error events inside a stream', () => {
  it('take the status of their type: overloaded → 503', () => {
    const err = anthropicStreamError(
      'anthropic',
      '{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}',
      [],
    );
    expect(toWireError(err)).toMatchObject({
      status: 503,
      body: { error: { message: 'Overloaded', type: 'server_error' } },
    });
  });

  it.each([
    ['rate_limit_error', 429],
    ['api_error', 500],
    ['invalid_request_error', 400],
    ['request_too_large', 413],
    ['timeout_error', 504],
    ['billing_error', 402],
    ['something_new', 502],
  ])('%s → upstream status %i', (type, status) => {
    expect(statusForAnthropicErrorType(type)).toBe(status);
  });
});
