/**
 * Every failure Tollgate reports is a GatewayError with one of these codes.
 * `error-envelope.ts` is the one place that maps a code to an HTTP status and the
 * OpenAI error envelope.
 */
export enum ErrorCode {
  InvalidRequest = 'invalid_request',
  InvalidJson = 'invalid_json',
  BodyTooLarge = 'body_too_large',
  /** The request body did not fully arrive in time (TOLLGATE_REQUEST_TIMEOUT_MS). */
  RequestTimeout = 'request_timeout',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  ModelNotFound = 'model_not_found',
  ModelAmbiguous = 'model_ambiguous',
  ProviderNotFound = 'provider_not_found',
  RateLimited = 'rate_limited',
  BudgetExceeded = 'budget_exceeded',
  /** The upstream answered with an error; `status` carries the status to send. */
  Upstream = 'upstream_error',
  UpstreamTimeout = 'upstream_timeout',
  UpstreamUnreachable = 'upstream_unreachable',
  UpstreamInvalidResponse = 'upstream_invalid_response',
  Unsupported = 'unsupported_parameter',
  /** The gateway cannot take the request now (shutting down, its own storage down). */
  ServiceUnavailable = 'service_unavailable',
  Internal = 'internal_error',
}

import type { UpstreamCode, WireCode } from './wire-codes.js';

export interface GatewayErrorOptions {
  param?: string | null;
  /** HTTP status, for codes whose status is not fixed (Upstream). */
  status?: number;
  /** OpenAI `error.type` override (e.g. the upstream's own type). */
  type?: string;
  /** OpenAI `error.code` override: one of WIRE_CODES, or an upstream's own code. */
  wireCode?: WireCode | UpstreamCode | null;
  /** Seconds, passed on as `retry-after`. */
  retryAfter?: string;
  /** Upstream errors: how long the upstream asked to wait, milliseconds (for retries). */
  retryAfterMs?: number;
  /** Upstream errors: the status the upstream meant (before mapping, e.g. 529). */
  upstreamStatus?: number;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly param: string | null;
  readonly status?: number;
  readonly type?: string;
  readonly wireCode?: WireCode | UpstreamCode | null;
  readonly retryAfter?: string;
  readonly retryAfterMs?: number;
  readonly upstreamStatus?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: GatewayErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.param = options.param ?? null;
    this.status = options.status;
    this.type = options.type;
    this.wireCode = options.wireCode;
    this.retryAfter = options.retryAfter;
    this.retryAfterMs = options.retryAfterMs;
    this.upstreamStatus = options.upstreamStatus;
  }
}
