import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { ClientAbortedError } from '../common/http/upstream-http.service.js';
import { upstreamError } from '../common/http/upstream-errors.js';
import { classifyFailure } from './retry-policy.js';

const upstream = (status: number): GatewayError => upstreamError('p', status, {}, {}, []);

describe('classifyFailure', () => {
  it.each([429, 500, 502, 503, 504, 529])('retries upstream %i', (status) => {
    expect(classifyFailure(upstream(status))).toBe('retry');
  });

  it.each([400, 401, 403, 404, 413, 422])('returns upstream %i at once', (status) => {
    expect(classifyFailure(upstream(status))).toBe('stop');
  });

  it.each([402, 409, 501])('sends upstream %i to the next target without retrying', (status) => {
    // 501 is sent to the client as 502: the decision is on what the upstream said.
    expect(classifyFailure(upstream(status))).toBe('next');
  });

  it('retries timeouts and connection failures, never a client that left', () => {
    expect(classifyFailure(new GatewayError(ErrorCode.UpstreamTimeout, 't'))).toBe('retry');
    expect(classifyFailure(new GatewayError(ErrorCode.UpstreamUnreachable, 'u'))).toBe('retry');
    const gone = new GatewayError(ErrorCode.UpstreamUnreachable, 'gone', {
      cause: new ClientAbortedError(),
    });
    expect(classifyFailure(gone)).toBe('stop');
  });

  it("stops on the gateway's own refusals and on anything unknown", () => {
    expect(classifyFailure(new GatewayError(ErrorCode.Unsupported, 'x'))).toBe('stop');
    expect(classifyFailure(new GatewayError(ErrorCode.Forbidden, 'x'))).toBe('stop');
    expect(classifyFailure(new Error('boom'))).toBe('stop');
  });
});
