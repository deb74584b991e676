import type { IncomingHttpHeaders } from 'node:http';

/** A parsed W3C `traceparent` (Trace Context level 1). */
export interface TraceParent {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  spanId: string;
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

/**
 * The caller's trace context, when its `traceparent` is valid by the W3C rules: version
 * `ff` is invalid, version `00` has exactly four fields, a later version may add fields,
 * and neither id may be all zeros. Anything else is no trace context at all.
 */
export function parseTraceparent(value: string | string[] | undefined): TraceParent | undefined {
  if (typeof value !== 'string' || value.length < 55 || value.length > 512) return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

/**
 * The trace headers to pass on unchanged: a valid `traceparent`, with its `tracestate`
 * (several header lines joined as the W3C spec allows). Undefined without a valid one.
 */
export function callerTraceHeaders(
  headers: IncomingHttpHeaders,
): { parent: TraceParent; headers: Record<string, string> } | undefined {
  const raw = headers.traceparent;
  const parent = parseTraceparent(raw);
  if (parent === undefined) return undefined;
  const out: Record<string, string> = { traceparent: (raw as string).trim() };
  const state = headers.tracestate;
  const joined = Array.isArray(state) ? state.join(',') : state;
  if (joined !== undefined && joined.trim() !== '') out.tracestate = joined.trim();
  return { parent, headers: out };
}
