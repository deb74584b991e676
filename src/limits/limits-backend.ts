import type { LimitScope } from '../common/context/request-context.js';
import { periodEnd, periodStart } from './budget-period.js';

/** Which limit refused a request. */
export type Refusal = 'rpm' | 'tpm' | 'parallel' | 'budget';

export interface AdmitInput {
  requestId: string;
  scopes: readonly LimitScope[];
  /** Worst-case cost (nano-dollars) reserved against every budget among `scopes`. */
  reserveNanos: bigint;
  /** When the request arrived (epoch ms): picks the budget period. */
  at: number;
}

/** A scope's counts in the current minute, after this request was counted. */
export interface WindowCounts {
  requests: number;
  tokens: number;
}

export type AdmitResult =
  | { ok: true; counts: WindowCounts[]; resetMs: number }
  | { ok: false; refusal: Refusal; scope: LimitScope; counts: WindowCounts[]; resetMs: number };

/**
 * Where limits are counted: in Redis (shared by every replica) or in this process. An
 * admission checks every limit of every scope and, only when all fit, takes a request
 * slot, a parallel slot and a budget reservation at once.
 */
export interface LimitsBackend {
  admit(input: AdmitInput): Promise<AdmitResult>;
  /** Frees the request's parallel slots (idempotent). */
  release(requestId: string, scopes: readonly LimitScope[]): Promise<void>;
  /**
   * Turns the request's reservation into its recorded cost and adds its tokens to the
   * current minute (idempotent for the reservation; call once).
   */
  settle(input: AdmitInput, costNanos: bigint, tokens: number): Promise<void>;
}

/** Recorded spend of a key or team from `from` on (the usage table: the ledger's truth). */
export type SpendSource = (scope: LimitScope, from: number) => Promise<bigint>;

/** Identifies one budget ledger: a scope's budget in one period. */
export function ledgerOf(
  scope: LimitScope,
  at: number,
): { key: string; from: number; until: number } | null {
  if (scope.budgetNanos === null) return null;
  const period = scope.budgetPeriod ?? 'total';
  const from = periodStart(period, at);
  return { key: `${scope.kind}:${scope.id}:${period}:${from}`, from, until: periodEnd(period, at) };
}

export function scopeKey(scope: LimitScope): string {
  return `${scope.kind}:${scope.id}`;
}
