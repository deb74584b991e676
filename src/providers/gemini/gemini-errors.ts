import { ErrorCode, GatewayError } from '../../common/errors/gateway-error.js';
import { readErrorBody, upstreamError } from '../../common/http/upstream-errors.js';

type Headers = Record<string, string | string[] | undefined>;

/** What a Google error body says, as far as the gateway needs it. */
export interface GeminiErrorBody {
  /** `error.code`: the HTTP status Google meant. */
  code?: number;
  /** `error.status`: the canonical gRPC code name (`RESOURCE_EXHAUSTED`, …). */
  status?: string;
  message?: string;
  /** `google.rpc.ErrorInfo.reason`, e.g. `API_KEY_INVALID`. */
  reason?: string;
  /** `google.rpc.RetryInfo.retryDelay`, e.g. `"27s"`. */
  retryDelay?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads Google's `{"error":{"code","message","status","details":[…]}}`. Tolerates the
 * array form (`[{"error":…}]`, sent by the non-SSE stream endpoint) and non-JSON bodies.
 */
export function parseGeminiError(bodyText: string): GeminiErrorBody {
  const body = readErrorBody(bodyText);
  if (!('json' in body)) return body;
  const json = body.json;
  if (!isObject(json) || !isObject(json.error)) return {};
  const e = json.error;
  const out: GeminiErrorBody = {};
  if (typeof e.code === 'number') out.code = e.code;
  if (typeof e.status === 'string') out.status = e.status;
  if (typeof e.message === 'string') out.message = e.message;
  for (const d of Array.isArray(e.details) ? e.details : []) {
    if (!isObject(d)) continue;
    const type = typeof d['@type'] === 'string' ? d['@type'] : '';
    if (type.endsWith('google.rpc.ErrorInfo') && typeof d.reason === 'string')
      out.reason = d.reason;
    if (type.endsWith('google.rpc.RetryInfo') && typeof d.retryDelay === 'string') {
      out.retryDelay = d.retryDelay;
    }
  }
  return out;
}

/** True when Google refused the API key itself (it answers 400 INVALID_ARGUMENT for that). */
export function isInvalidApiKey(err: GeminiErrorBody): boolean {
  return err.reason === 'API_KEY_INVALID' || /API key not valid/i.test(err.message ?? '');
}

/** Canonical gRPC code names → HTTP status (google.rpc.Code's documented mapping). */
const STATUS_BY_CODE = new Map<string, number>([
  ['INVALID_ARGUMENT', 400],
  ['FAILED_PRECONDITION', 400],
  ['OUT_OF_RANGE', 400],
  ['UNAUTHENTICATED', 401],
  ['PERMISSION_DENIED', 403],
  ['NOT_FOUND', 404],
  ['ABORTED', 409],
  ['ALREADY_EXISTS', 409],
  ['RESOURCE_EXHAUSTED', 429],
  ['CANCELLED', 500],
  ['UNKNOWN', 500],
  ['INTERNAL', 500],
  ['DATA_LOSS', 500],
  ['UNIMPLEMENTED', 501],
  ['UNAVAILABLE', 503],
  ['DEADLINE_EXCEEDED', 504],
]);

/**
 * The HTTP status the error means. Google's canonical `status` wins over the HTTP
 * status it came with (a mid-stream error event arrives inside a 200), and an invalid
 * key is a 401 although Google sends it as a 400.
 */
export function statusForGeminiError(httpStatus: number, err: GeminiErrorBody): number {
  if (isInvalidApiKey(err)) return 401;
  const mapped = err.status === undefined ? undefined : STATUS_BY_CODE.get(err.status);
  if (mapped !== undefined) return mapped;
  if (err.code !== undefined && err.code >= 400 && err.code <= 599) return err.code;
  return httpStatus >= 400 ? httpStatus : 502;
}

/** `google.protobuf.Duration` JSON (`"27s"`, `"34.4s"`) → milliseconds. */
export function retryDelayMs(retryDelay: string | undefined): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)s\s*$/.exec(retryDelay ?? '');
  if (!m) return undefined;
  return Math.round(Number(m[1]) * 1000);
}

/**
 * The client-facing error for a Google error body: status mapped from the canonical
 * code, `retry-after` from the header or else from `RetryInfo`, message redacted (the
 * API key is passed in `secrets` so it can never be echoed).
 */
export function geminiUpstreamError(
  provider: string,
  httpStatus: number,
  headers: Headers,
  bodyText: string,
  secrets: Array<string | undefined>,
): GatewayError {
  const err = parseGeminiError(bodyText);
  const status = statusForGeminiError(httpStatus, err);
  return upstreamError(
    provider,
    status,
    headers,
    {
      message: err.message,
      code: err.status ? err.status.toLowerCase() : null,
      retryAfterMs: retryDelayMs(err.retryDelay),
    },
    secrets,
  );
}

/** A prompt Gemini refused to answer (`promptFeedback.blockReason`, no candidates). */
export function promptBlockedError(provider: string, blockReason: string): GatewayError {
  return new GatewayError(
    ErrorCode.Upstream,
    `The upstream provider '${provider}' blocked the prompt (${blockReason}).`,
    { status: 400, wireCode: 'content_filter', param: 'messages' },
  );
}
