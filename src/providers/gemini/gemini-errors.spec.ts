import { toWireError } from '../../common/errors/error-envelope.js';
import { ErrorCode } from '../../common/errors/gateway-error.js';
import { fixture } from '../../../test/support/fixtures.js';
import {
  geminiUpstreamError,
  parseGeminiError,
  promptBlockedError,
  retryDelayMs,
  statusForGeminiError,
} from './gemini-errors.js';

const KEY = 'AIzaSyTollgateUpstreamKey000000000000';
const wire = (status: number, file: string, headers: Record<string, string> = {}) =>
  toWireError(geminiUpstreamError('gemini', status, headers, fixture(`gemini/${file}`), [KEY]));

describe('parseGeminiError', () => {
  it('reads code, status, message, ErrorInfo reason and RetryInfo delay', () => {
    expect(parseGeminiError(fixture('gemini/error-429-resource-exhausted.json'))).toEqual({
      code: 429,
      status: 'RESOURCE_EXHAUSTED',
      message: expect.stringContaining('You exceeded your current quota'),
      retryDelay: '27s',
    });
    expect(parseGeminiError(fixture('gemini/error-400-api-key-invalid.json'))).toMatchObject({
      code: 400,
      status: 'INVALID_ARGUMENT',
      reason: 'API_KEY_INVALID',
    });
  });

  it('accepts the array form and plain text', () => {
    expect(parseGeminiError(`[${fixture('gemini/error-503-unavailable.json')}]`)).toMatchObject({
      status: 'UNAVAILABLE',
    });
    expect(parseGeminiError('upstream connect error')).toEqual({
      message: 'upstream connect error',
    });
    expect(parseGeminiError('')).toEqual({});
    expect(parseGeminiError('{"candidates":[]}')).toEqual({});
  });
});

describe('statusForGeminiError', () => {
  it.each([
    ['INVALID_ARGUMENT', 400],
    ['FAILED_PRECONDITION', 400],
    ['UNAUTHENTICATED', 401],
    ['PERMISSION_DENIED', 403],
    ['NOT_FOUND', 404],
    ['RESOURCE_EXHAUSTED', 429],
    ['INTERNAL', 500],
    ['UNAVAILABLE', 503],
    ['DEADLINE_EXCEEDED', 504],
  ])('%s → %i', (status, expected) => {
    expect(statusForGeminiError(200, { status })).toBe(expected);
  });

  it('treats a refused API key as 401 although Google says 400 INVALID_ARGUMENT', () => {
    expect(
      statusForGeminiError(400, { status: 'INVALID_ARGUMENT', reason: 'API_KEY_INVALID' }),
    ).toBe(401);
    expect(
      statusForGeminiError(400, {
        status: 'INVALID_ARGUMENT',
        message: 'API key not valid. Please pass a valid API key.',
      }),
    ).toBe(401);
  });

  it('falls back to error.code, then to the HTTP status', () => {
    expect(statusForGeminiError(200, { code: 429 })).toBe(429);
    expect(statusForGeminiError(500, {})).toBe(500);
    expect(statusForGeminiError(200, {})).toBe(502);
    expect(statusForGeminiError(418, { status: 'toString' })).toBe(418);
  });
});

describe('retryDelayMs', () => {
  it.each([
    ['27s', 27_000],
    ['34.4s', 34_400],
    ['0.2s', 200],
    ['0s', 0],
    ['27', undefined],
    ['soon', undefined],
    [undefined, undefined],
  ])('%s → %s', (delay, expected) => {
    expect(retryDelayMs(delay)).toBe(expected);
  });
});

describe('geminiUpstreamError', () => {
  it('maps each recorded error to the OpenAI envelope', () => {
    expect(
      [
        [400, 'error-400-invalid-argument.json'],
        [403, 'error-403-permission-denied.json'],
        [404, 'error-404-not-found.json'],
        [429, 'error-429-resource-exhausted.json'],
        [503, 'error-503-unavailable.json'],
        [504, 'error-504-deadline-exceeded.json'],
      ].map(([status, file]) => ({ file, ...wire(status as number, file as string) })),
    ).toMatchSnapshot();
  });

  it('takes retry-after from RetryInfo when the header is absent', () => {
    const w = wire(429, 'error-429-resource-exhausted.json');
    expect(w.status).toBe(429);
    expect(w.retryAfter).toBe('27');
    expect(w.body.error).toMatchObject({ type: 'rate_limit_error', code: 'resource_exhausted' });
  });

  it('carries the RetryInfo delay in milliseconds, for the retry policy', () => {
    const err = geminiUpstreamError(
      'gemini',
      429,
      {},
      fixture('gemini/error-429-resource-exhausted.json'),
      [],
    );
    expect([err.retryAfterMs, err.upstreamStatus]).toEqual([27_000, 429]);
  });

  it('prefers the retry-after header over RetryInfo', () => {
    expect(wire(429, 'error-429-resource-exhausted.json', { 'retry-after': '5' }).retryAfter).toBe(
      '5',
    );
  });

  it('turns an invalid key into a 401 about the gateway credentials, echoing nothing', () => {
    const w = wire(400, 'error-400-api-key-invalid.json');
    expect(w.status).toBe(401);
    expect(w.body.error).toEqual({
      message: "The upstream provider 'gemini' rejected the gateway's credentials for it.",
      type: 'authentication_error',
      param: null,
      code: 'upstream_authentication_error',
    });
  });

  it('never echoes the API key, even when Google quotes it', () => {
    const body = JSON.stringify({
      error: {
        code: 400,
        message: `Bad request for key=${KEY} on https://x/?key=${KEY}`,
        status: 'INVALID_ARGUMENT',
      },
    });
    const w = toWireError(geminiUpstreamError('gemini', 400, {}, body, [KEY]));
    expect(JSON.stringify(w)).not.toContain(KEY);
    expect(w.body.error.message).toContain('[redacted]');
  });

  it('maps a mid-stream error event, which arrives inside a 200, by its status', () => {
    const text = fixture('gemini/stream-error-midstream.sse')
      .split('\n\n')[1]
      .replace(/^data: /, '');
    const w = toWireError(geminiUpstreamError('gemini', 500, {}, text, [KEY]));
    expect(w.status).toBe(503);
    expect(w.body.error.message).toBe('The model is overloaded. Please try again later.');
  });
});

describe('promptBlockedError', () => {
  it('is a 400 content_filter naming the block reason', () => {
    const err = promptBlockedError('gemini', 'SAFETY');
    expect(err.code).toBe(ErrorCode.Upstream);
    expect(toWireError(err)).toEqual({
      status: 400,
      retryAfter: undefined,
      body: {
        error: {
          message: "The upstream provider 'gemini' blocked the prompt (SAFETY).",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'content_filter',
        },
      },
    });
  });
});
