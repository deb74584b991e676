import type { IncomingMessage } from 'node:http';
import type { RequestContext, RequestTrace } from '../common/context/request-context.js';
import { callerTraceHeaders } from './trace-context.js';
import type { AttemptTrace } from './tracing.js';

/**
 * With tracing off, a caller's valid `traceparent` still ties the request together: its
 * trace id goes into the log line and the usage row, and every upstream attempt gets
 * the caller's `traceparent`/`tracestate` unchanged (the gateway adds no span of its
 * own). Nothing is recorded, so the attempt outcomes are no-ops.
 */
export class CallerTrace implements RequestTrace, AttemptTrace {
  constructor(
    readonly traceId: string,
    readonly headers: Record<string, string>,
  ) {}

  failed(): void {}

  answered<T>(value: T): T {
    return value;
  }
}

/** The start hook with tracing off: one header lookup for a request without trace context. */
export function startCallerTrace(ctx: RequestContext, req: IncomingMessage): void {
  if (req.headers.traceparent === undefined) return;
  const caller = callerTraceHeaders(req.headers);
  if (caller !== undefined) ctx.trace = new CallerTrace(caller.parent.traceId, caller.headers);
}
