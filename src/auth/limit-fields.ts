import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import type { LimitScope } from '../common/context/request-context.js';
import type { LimitFieldsDto } from './dto/create-key.dto.js';
import type { BudgetPeriod } from './key.repository.js';

/** The limit fields of a stored key or team. */
export interface StoredLimits {
  models: string[] | null;
  rpm: number | null;
  tpm: number | null;
  maxParallel: number | null;
  budgetNanos: bigint | null;
  budgetPeriod: BudgetPeriod | null;
  metadata: Record<string, string> | null;
}

/**
 * The stored form of the limit fields a create or PATCH body carries: absent fields are
 * left out (unchanged), `null` clears. `budget_period` needs a budget (given now or
 * already set); a budget without a period keeps the current one, else `total`.
 */
export function limitChanges(
  dto: Partial<LimitFieldsDto>,
  current: Pick<StoredLimits, 'budgetNanos' | 'budgetPeriod'> | undefined,
): Partial<StoredLimits> {
  const out: Partial<StoredLimits> = {};
  if (dto.models !== undefined) out.models = dto.models;
  if (dto.rpm !== undefined) out.rpm = dto.rpm;
  if (dto.tpm !== undefined) out.tpm = dto.tpm;
  if (dto.max_parallel !== undefined) out.maxParallel = dto.max_parallel;
  if (dto.metadata !== undefined) out.metadata = dto.metadata;
  const budget =
    dto.budget_usd === undefined
      ? (current?.budgetNanos ?? null)
      : dto.budget_usd === null
        ? null
        : BigInt(Math.round(dto.budget_usd * 1e9));
  if (dto.budget_period != null && budget === null) {
    throw new GatewayError(ErrorCode.InvalidRequest, "'budget_period' needs 'budget_usd'.", {
      param: 'budget_period',
      wireCode: 'invalid_value',
    });
  }
  if (dto.budget_usd !== undefined || dto.budget_period !== undefined) {
    out.budgetNanos = budget;
    out.budgetPeriod =
      budget === null ? null : (dto.budget_period ?? current?.budgetPeriod ?? 'total');
  }
  return out;
}

/** The limits of a key or team as the hot path reads them; null when it has none. */
export function limitScope(
  kind: LimitScope['kind'],
  id: string,
  l: Omit<StoredLimits, 'models' | 'metadata'>,
): LimitScope | null {
  if (l.rpm === null && l.tpm === null && l.maxParallel === null && l.budgetNanos === null) {
    return null;
  }
  return {
    kind,
    id,
    rpm: l.rpm,
    tpm: l.tpm,
    maxParallel: l.maxParallel,
    budgetNanos: l.budgetNanos,
    budgetPeriod: l.budgetNanos === null ? null : (l.budgetPeriod ?? 'total'),
  };
}

/** A required text field a PATCH may change but not clear. */
export function notNull<T>(value: T | null | undefined, param: string): T | undefined {
  if (value === null) {
    throw new GatewayError(ErrorCode.InvalidRequest, `'${param}' cannot be null.`, {
      param,
      wireCode: 'invalid_value',
    });
  }
  return value;
}
