import { ErrorCode, GatewayError } from '../errors/gateway-error.js';
import { upstreamCode, type UpstreamCode, type WireCode } from '../errors/wire-codes.js';

/**
 * Upstream HTTP status → status sent to the client. 4xx pass through; 5xx keep their
 * meaning (529 "overloaded" is a 503); anything else unexpected is a 502.
 */
export function clientStatusForUpstream(status: number): number {
  if (status === 529) return 503;
  if (status >= 400 && status < 500) return status;
  if (status === 500 || status === 502 || status === 503 || status === 504) return status;
  return 502;
}

/** Seconds to wait, from `retry-after` (seconds or HTTP date) or `retry-after-ms`. */
export function retryAfterFrom(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const ra = first(headers['retry-after']);
  if (ra !== undefined && ra !== '') return ra;
  const ms = Number(first(headers['retry-after-ms']));
  if (Number.isFinite(ms) && ms > 0) return String(Math.ceil(ms / 1000));
  return undefined;
}

/**
 * Milliseconds to wait, from `retry-after-ms`, or `retry-after` as seconds or an HTTP
 * date (relative to `now`, epoch ms); undefined when absent or unreadable.
 */
export function retryAfterMsFrom(
  headers: Record<string, string | string[] | undefined>,
  now: number = Date.now(),
): number | undefined {
  const ms = Number(first(headers['retry-after-ms']));
  if (Number.isFinite(ms) && ms >= 0 && first(headers['retry-after-ms'])?.trim()) return ms;
  const ra = first(headers['retry-after'])?.trim();
  if (ra === undefined || ra === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Math.round(Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

const SECRET_PATTERNS = [
  /\b(sk|pk|rk)-[A-Za-z0-9_*-]{8,}/g,
  /\bsk-ant-[A-Za-z0-9_*-]{8,}/g,
  /\bgsk_[A-Za-z0-9*]{8,}/g,
  /\bxai-[A-Za-z0-9*]{8,}/g,
  /\bAIza[0-9A-Za-z_*-]{10,}/g,
  /\btg-[A-Za-z0-9_*-]{8,}/g,
  /\bBearer\s+[A-Za-z0-9._~+/*-]+=*/gi,
];

/** Removes anything that looks like a credential from an upstream message. */
export function redactSecrets(
  message: string,
  knownSecrets: Array<string | undefined> = [],
): string {
  let out = message;
  for (const s of knownSecrets) {
    if (s && s.length >= 6) out = out.split(s).join('[redacted]');
  }
  for (const re of SECRET_PATTERNS) out = out.replace(re, '[redacted]');
  return out;
}

export interface UpstreamErrorDetails {
  message?: string;
  type?: string;
  code?: string | null;
  param?: string | null;
  /** A wait the body asked for (e.g. Google's `RetryInfo`), when no header says one. */
  retryAfterMs?: number;
}

/**
 * Builds the client-facing error for an upstream error response. The message is the
 * upstream's (redacted); a 401/403 about the gateway's own credentials is reworded so the
 * caller does not think its own key was refused, and the key is never echoed.
 */
export function upstreamError(
  provider: string,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  details: UpstreamErrorDetails,
  secrets: Array<string | undefined>,
): GatewayError {
  const clientStatus = clientStatusForUpstream(status);
  let message = details.message ? redactSecrets(details.message, secrets) : undefined;
  let code: WireCode | UpstreamCode | null =
    details.code == null ? null : upstreamCode(details.code);
  if (status === 401) {
    message = `The upstream provider '${provider}' rejected the gateway's credentials for it.`;
    code = 'upstream_authentication_error';
  }
  return new GatewayError(
    ErrorCode.Upstream,
    message ?? `The upstream provider '${provider}' answered with HTTP ${status}.`,
    {
      status: clientStatus,
      type: details.type && status !== 401 ? details.type : undefined,
      wireCode: code,
      param: details.param ?? null,
      retryAfter:
        retryAfterFrom(headers) ??
        (details.retryAfterMs === undefined
          ? undefined
          : String(Math.ceil(details.retryAfterMs / 1000))),
      retryAfterMs: retryAfterMsFrom(headers) ?? details.retryAfterMs,
      upstreamStatus: status,
    },
  );
}

/**
 * An upstream error body as JSON (the first element when it is an array, as some
 * endpoints send), or, for a body that is not JSON (a proxy's HTML page, plain text), its
 * first 500 characters as the message.
 */
export function readErrorBody(bodyText: string): { json: unknown } | { message?: string } {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    const text = bodyText.trim().slice(0, 500);
    return text ? { message: text } : {};
  }
  return { json: Array.isArray(json) ? (json[0] as unknown) : json };
}
