import type { GatewayError } from '../../common/errors/gateway-error.js';
import {
  readErrorBody,
  upstreamError,
  type UpstreamErrorDetails,
} from '../../common/http/upstream-errors.js';

/** Anthropic `error.type` → the OpenAI `error.type` a client of OpenAI expects for it. */
const OPENAI_TYPE: Readonly<Record<string, string>> = {
  invalid_request_error: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  not_found_error: 'invalid_request_error',
  authentication_error: 'authentication_error',
  permission_error: 'permission_error',
  billing_error: 'insufficient_quota',
  rate_limit_error: 'rate_limit_error',
  timeout_error: 'timeout_error',
  api_error: 'server_error',
  overloaded_error: 'server_error',
};

/** OpenAI `error.code`s with a direct Anthropic counterpart. */
const OPENAI_CODE: Readonly<Record<string, string>> = {
  rate_limit_error: 'rate_limit_exceeded',
  billing_error: 'insufficient_quota',
};

/**
 * The HTTP status Anthropic uses for each error type, for errors that arrive inside a
 * 200 stream (where the type is all there is). 529 is Anthropic's "overloaded".
 */
const STATUS_FOR_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/**
 * Reads an Anthropic error body, `{"type":"error","error":{"type","message"},"request_id"}`,
 * into the details of an OpenAI envelope. A body that is not Anthropic's (a proxy's HTML
 * page, plain text) keeps its first 500 characters as the message.
 */
export function parseAnthropicError(bodyText: string): UpstreamErrorDetails {
  const body = readErrorBody(bodyText);
  if (!('json' in body)) return body;
  const json = body.json;
  if (typeof json !== 'object' || json === null) return {};
  const err = (json as { error?: unknown }).error;
  if (typeof err === 'string') return { message: err };
  if (typeof err !== 'object' || err === null) {
    const message = (json as { message?: unknown }).message;
    return typeof message === 'string' ? { message } : {};
  }
  const e = err as { type?: unknown; message?: unknown };
  const type = typeof e.type === 'string' ? e.type : undefined;
  return {
    message: typeof e.message === 'string' ? e.message : undefined,
    type: type ? OPENAI_TYPE[type] : undefined,
    code: type ? (OPENAI_CODE[type] ?? null) : null,
    param: null,
  };
}

/** The upstream status an Anthropic error type stands for; 502 when the type is unknown. */
export function statusForAnthropicErrorType(type: unknown): number {
  return (typeof type === 'string' ? STATUS_FOR_TYPE[type] : undefined) ?? 502;
}

/** An `error` event inside a stream → the GatewayError the relay turns into one error event. */
export function anthropicStreamError(
  provider: string,
  data: string,
  secrets: Array<string | undefined>,
): GatewayError {
  let type: unknown;
  try {
    type = (JSON.parse(data) as { error?: { type?: unknown } }).error?.type;
  } catch {
    type = undefined;
  }
  return upstreamError(
    provider,
    statusForAnthropicErrorType(type),
    {},
    parseAnthropicError(data),
    secrets,
  );
}
