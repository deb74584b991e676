import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { isClientAbort } from '../common/http/upstream-http.service.js';

/**
 * What to do after a failed attempt:
 * - `retry`: the same target may be tried again (then the next one);
 * - `next`: not worth repeating on this target, but another target may serve it;
 * - `stop`: the answer is the caller's (a bad request, a refused key, a client that left):
 *   returned at once, no retry, no fallback.
 */
export type FailureAction = 'retry' | 'next' | 'stop';

/** Upstream statuses that mean "try again": rate limited, failing, overloaded (529). */
const RETRYABLE = new Set([429, 500, 502, 503, 504, 529]);
/** Upstream statuses that are about the request itself: never retried, never sent elsewhere. */
const FINAL = new Set([400, 401, 403, 404, 413, 422]);

export function classifyFailure(err: unknown): FailureAction {
  if (!(err instanceof GatewayError) || isClientAbort(err)) return 'stop';
  if (err.code === ErrorCode.UpstreamTimeout || err.code === ErrorCode.UpstreamUnreachable) {
    return 'retry';
  }
  if (err.code === ErrorCode.Upstream) {
    const status = err.upstreamStatus ?? err.status ?? 502;
    if (RETRYABLE.has(status)) return 'retry';
    return FINAL.has(status) ? 'stop' : 'next';
  }
  if (err.code === ErrorCode.UpstreamInvalidResponse) return 'next';
  // Refused by the gateway itself (validation, translation, allowlist): the same request
  // would be refused again, anywhere.
  return 'stop';
}

/** Whether a failure says something about the target's health (for its circuit breaker). */
export function countsAgainstTarget(action: FailureAction): boolean {
  return action !== 'stop';
}
