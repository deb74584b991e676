import type { TimeoutSettings } from '../config/resilience-config.js';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';

type Phase = 'first_byte' | 'first_token' | 'idle';

const MESSAGES: Record<Phase | 'total', string> = {
  first_byte: 'did not start answering in time',
  first_token: 'sent no event in time after answering',
  idle: 'stopped sending data',
  total: 'did not finish in time',
};

export function upstreamTimeout(provider: string, kind: Phase | 'total'): GatewayError {
  return new GatewayError(
    ErrorCode.UpstreamTimeout,
    `The upstream provider '${provider}' ${MESSAGES[kind]}.`,
    { wireCode: `${kind}_timeout` },
  );
}

/**
 * The time limits of one attempt, enforced through its own AbortSignal (the request's
 * signal aborts it too). One phase timer is re-armed as the attempt moves on (first byte →
 * first token → idle gaps, the latter by `refresh()`, which allocates nothing) and one
 * timer bounds the whole attempt. When a timer fires the signal aborts with the
 * GatewayError naming the limit, which the upstream client reports as the failure.
 */
export class AttemptDeadline {
  private readonly controller = new AbortController();
  private phase: Phase = 'first_byte';
  private phaseTimer?: NodeJS.Timeout;
  private totalTimer?: NodeJS.Timeout;
  private readonly onParentAbort = (): void => this.controller.abort();

  constructor(
    private readonly parent: AbortSignal,
    private readonly limits: TimeoutSettings,
    private readonly provider: string,
    private readonly stream: boolean,
  ) {
    if (parent.aborted) this.controller.abort();
    else parent.addEventListener('abort', this.onParentAbort, { once: true });
    this.arm(limits.firstByteMs);
    if (limits.totalMs !== undefined) {
      this.totalTimer = setTimeout(() => this.fire('total'), limits.totalMs);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether the attempt's failure was this deadline (and not the client leaving). */
  get error(): GatewayError | undefined {
    const reason: unknown = this.controller.signal.reason;
    return reason instanceof GatewayError ? reason : undefined;
  }

  /** Response headers arrived: a stream now waits for its first event, a body for its bytes. */
  headers(): void {
    if (this.phase !== 'first_byte') return;
    if (this.stream) {
      this.phase = 'first_token';
      this.arm(this.limits.firstTokenMs ?? this.limits.idleMs);
    } else {
      this.phase = 'idle';
      this.arm(this.limits.idleMs);
    }
  }

  /** An event arrived. */
  event(): void {
    if (this.phase === 'idle') {
      this.phaseTimer?.refresh();
      return;
    }
    this.phase = 'idle';
    this.arm(this.limits.idleMs);
  }

  /** The attempt is over (any outcome): no timer may fire any more. */
  dispose(): void {
    clearTimeout(this.phaseTimer);
    clearTimeout(this.totalTimer);
    this.phaseTimer = undefined;
    this.parent.removeEventListener('abort', this.onParentAbort);
  }

  private arm(ms: number | undefined): void {
    clearTimeout(this.phaseTimer);
    this.phaseTimer = ms === undefined ? undefined : setTimeout(() => this.fire(this.phase), ms);
  }

  private fire(kind: Phase | 'total'): void {
    this.dispose();
    this.controller.abort(upstreamTimeout(this.provider, kind));
  }
}

/** Limits for `provider/model`: its own entry over its provider's, or undefined when neither is set. */
export function mergeTimeouts(
  timeouts: Readonly<Record<string, TimeoutSettings>>,
): Map<string, TimeoutSettings> {
  const out = new Map<string, TimeoutSettings>();
  for (const [key, t] of Object.entries(timeouts)) {
    const slash = key.indexOf('/');
    const base = slash > 0 ? timeouts[key.slice(0, slash)] : undefined;
    out.set(key, { ...base, ...t });
  }
  return out;
}
