import { ApiProperty } from '@nestjs/swagger';
import { BUDGET_PERIODS, type BudgetPeriod } from '../key.repository.js';

/** A team: limits, budget and allowlist shared by its keys. */
export class TeamDto {
  id!: string;
  @ApiProperty({ enum: ['team'] })
  object!: 'team';
  name!: string;
  /** ISO 8601. */
  created_at!: string;
  /** Allowed models; null: all. */
  @ApiProperty({ type: [String], nullable: true })
  models!: string[] | null;
  @ApiProperty({ type: 'integer', nullable: true })
  rpm!: number | null;
  @ApiProperty({ type: 'integer', nullable: true })
  tpm!: number | null;
  @ApiProperty({ type: 'integer', nullable: true })
  max_parallel!: number | null;
  @ApiProperty({ type: 'number', nullable: true })
  budget_usd!: number | null;
  @ApiProperty({ enum: BUDGET_PERIODS, nullable: true })
  budget_period!: BudgetPeriod | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, nullable: true })
  metadata!: Record<string, string> | null;
}

/** A team as listed: with what it spent in its current budget period. */
export class TeamWithSpendDto extends TeamDto {
  /** Recorded spend (USD) in the current period (`budget_period`, `total` without a budget). */
  spend_usd!: number;
  /** Start of that period (ISO 8601, UTC); null for `total`. */
  @ApiProperty({ type: 'string', nullable: true })
  period_start!: string | null;
}

export class TeamListDto {
  /** Newest first. */
  data!: TeamWithSpendDto[];
  /** Teams in all pages. */
  @ApiProperty({ type: 'integer' })
  total!: number;
}
