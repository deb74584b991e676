import { ErrorCode, GatewayError } from './gateway-error.js';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface WireError {
  status: number;
  body: OpenAIErrorBody;
  retryAfter?: string;
}

/** The one mapping from error codes to HTTP status and OpenAI `error.type`. */
export function statusAndType(err: GatewayError): { status: number; type: string } {
  switch (err.code) {
    case ErrorCode.InvalidRequest:
    case ErrorCode.InvalidJson:
    case ErrorCode.ModelAmbiguous:
    case ErrorCode.ProviderNotFound:
    case ErrorCode.Unsupported:
      return { status: 400, type: 'invalid_request_error' };
    case ErrorCode.BodyTooLarge:
      return { status: 413, type: 'invalid_request_error' };
    case ErrorCode.Unauthorized:
      return { status: 401, type: 'authentication_error' };
    case ErrorCode.Forbidden:
      return { status: 403, type: 'permission_error' };
    case ErrorCode.NotFound:
    case ErrorCode.ModelNotFound:
      return { status: 404, type: 'invalid_request_error' };
    case ErrorCode.RateLimited:
      return { status: 429, type: 'rate_limit_error' };
    case ErrorCode.BudgetExceeded:
      return { status: 429, type: 'insufficient_quota' };
    case ErrorCode.Upstream:
      return { status: err.status ?? 502, type: typeForStatus(err.status ?? 502) };
    case ErrorCode.UpstreamTimeout:
      return { status: 504, type: 'timeout_error' };
    case ErrorCode.UpstreamUnreachable:
    case ErrorCode.UpstreamInvalidResponse:
      return { status: 502, type: 'upstream_error' };
    case ErrorCode.ServiceUnavailable:
      return { status: 503, type: 'service_unavailable_error' };
    case ErrorCode.Internal:
      return { status: 500, type: 'server_error' };
  }
}

export function typeForStatus(status: number): string {
  if (status === 400 || status === 404 || status === 409 || status === 413 || status === 422) {
    return 'invalid_request_error';
  }
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export function toWireError(err: GatewayError): WireError {
  const { status, type } = statusAndType(err);
  return {
    status,
    retryAfter: err.retryAfter,
    body: {
      error: {
        message: err.message,
        type: err.type ?? type,
        param: err.param,
        code: err.wireCode === undefined ? err.code : err.wireCode,
      },
    },
  };
}
