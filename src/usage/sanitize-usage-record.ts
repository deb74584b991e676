import type { UsageRecord } from './usage-record.js';

/**
 * Longest stored value of each text column, in UTF-16 code units (what `.length` counts).
 * Values come from requests and upstreams (`model`, `user`, error codes), so they are
 * bounded: a few hundred characters is more than any real model id, user id or error code
 * needs, and it keeps every indexed column far below PostgreSQL's B-tree entry limit
 * (about 2.7 kB; 256 code units are at most 768 bytes of UTF-8).
 */
export const USAGE_TEXT_LIMITS = {
  id: 128,
  requestId: 128,
  keyId: 128,
  requestedModel: 256,
  provider: 128,
  model: 256,
  costReason: 64,
  errorType: 64,
  errorCode: 64,
  user: 256,
} as const satisfies { [K in keyof UsageRecord]?: number };

/** Integer columns are PostgreSQL `integer` (int4); `bigint` columns are int8. */
const INT4_MAX = 2_147_483_647;
const INT8_MAX = 2n ** 63n - 1n;

/** NUL, or a lone surrogate: in `u` mode a surrogate pair is one code point and never matches. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what PostgreSQL cannot store
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/gu;
// eslint-disable-next-line no-control-regex -- as above
const UNSTORABLE_TEST = /[\u0000\uD800-\uDFFF]/u;

/**
 * The row as both databases can store it, whatever the request contained: the same row
 * on SQLite and PostgreSQL, so a spool line replays identically into either.
 *
 * - NUL (PostgreSQL text cannot hold it) becomes U+FFFD, as do lone surrogates (not
 *   valid UTF-8; the drivers would silently turn them into U+FFFD anyway). Replacing,
 *   not stripping, keeps `x\0` from being counted as the real model `x`.
 * - Text longer than its column's limit (`USAGE_TEXT_LIMITS`) is cut at that many code
 *   units, never between the two halves of a surrogate pair.
 * - A trace id that is not 32 lowercase hex digits is stored as null.
 * - Counts are integers clamped to 0..2^31-1 (int4 columns), the cost to 0..2^63-1
 *   nano-dollars (int8), the time to an integer; a latency that is not a finite number
 *   is stored as 0 (NaN would be NULL in a NOT NULL column), a time to first token as null.
 *
 * Pure, and the identity on a row that needs none of this (checked by its spec).
 */
export function sanitizeUsageRecord(r: UsageRecord): UsageRecord {
  return {
    id: text(r.id, USAGE_TEXT_LIMITS.id) ?? '',
    requestId: text(r.requestId, USAGE_TEXT_LIMITS.requestId) ?? '',
    createdAt: finiteInt(r.createdAt),
    keyId: text(r.keyId, USAGE_TEXT_LIMITS.keyId),
    teamId: text(r.teamId, USAGE_TEXT_LIMITS.keyId),
    requestedModel: text(r.requestedModel, USAGE_TEXT_LIMITS.requestedModel),
    provider: text(r.provider, USAGE_TEXT_LIMITS.provider),
    model: text(r.model, USAGE_TEXT_LIMITS.model),
    stream: r.stream === true,
    statusCode: int4(r.statusCode),
    promptTokens: int4(r.promptTokens),
    completionTokens: int4(r.completionTokens),
    totalTokens: int4(r.totalTokens),
    cachedTokens: int4(r.cachedTokens),
    cacheWriteTokens: int4(r.cacheWriteTokens),
    reasoningTokens: int4(r.reasoningTokens),
    costNanos: cost(r.costNanos),
    costReason: text(r.costReason, USAGE_TEXT_LIMITS.costReason),
    latencyMs: Number.isFinite(r.latencyMs) ? r.latencyMs : 0,
    ttftMs: r.ttftMs !== null && Number.isFinite(r.ttftMs) ? r.ttftMs : null,
    errorType: text(r.errorType, USAGE_TEXT_LIMITS.errorType),
    errorCode: text(r.errorCode, USAGE_TEXT_LIMITS.errorCode),
    partial: r.partial === true,
    usageEstimated: r.usageEstimated === true,
    user: text(r.user, USAGE_TEXT_LIMITS.user),
    // A row spooled before the column existed has none: it made its one try, or none.
    attempts: r.attempts === undefined ? (r.provider ? 1 : 0) : int4(r.attempts),
    // Only a real trace id is kept (rows spooled before the column existed have none).
    traceId: typeof r.traceId === 'string' && TRACE_ID.test(r.traceId) ? r.traceId : null,
  };
}

/** A W3C trace id: 32 lowercase hex digits, not all zero. */
const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;

/** The text as stored: well-formed, NUL-free, at most `max` code units. */
export function storableText(value: string, max: number): string {
  let s = UNSTORABLE_TEST.test(value) ? value.replace(UNSTORABLE, '\uFFFD') : value;
  if (s.length > max) {
    // Do not keep the high half of a pair whose low half is cut off.
    const end = isHighSurrogate(s.charCodeAt(max - 1)) ? max - 1 : max;
    s = s.slice(0, end);
  }
  return s;
}

function text(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  return storableText(typeof value === 'string' ? value : String(value), max);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function int4(n: number): number {
  if (!Number.isFinite(n) || n <= 0) return 0;
  return Math.min(Math.trunc(n), INT4_MAX);
}

function finiteInt(n: number): number {
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

function cost(c: bigint | null): bigint | null {
  if (c === null || c === undefined) return null;
  if (typeof c !== 'bigint') return null;
  if (c < 0n) return 0n;
  return c > INT8_MAX ? INT8_MAX : c;
}
