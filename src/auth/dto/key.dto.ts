import { ApiProperty } from '@nestjs/swagger';
import { BUDGET_PERIODS, type BudgetPeriod } from '../key.repository.js';

export const KEY_STATUSES = ['active', 'expired', 'revoked'] as const;

/** A managed key as listed: never the secret or its hash. */
export class KeyDto {
  id!: string;
  @ApiProperty({ enum: ['api_key'] })
  object!: 'api_key';
  name!: string;
  /** The team the key belongs to. */
  @ApiProperty({ type: 'string', nullable: true })
  team_id!: string | null;
  /** The key's first characters, to recognise it (`tg-AbCd1234`). */
  key_prefix!: string;
  @ApiProperty({ enum: KEY_STATUSES })
  status!: (typeof KEY_STATUSES)[number];
  /** ISO 8601. */
  created_at!: string;
  @ApiProperty({ type: 'string', nullable: true })
  expires_at!: string | null;
  @ApiProperty({ type: 'string', nullable: true })
  revoked_at!: string | null;
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
  /**
   * After a rotation with a grace period: when the secret it replaced stops working
   * (ISO 8601); null when no replaced secret works any more.
   */
  @ApiProperty({ type: 'string', nullable: true })
  previous_key_expires_at!: string | null;
}

/** The answer to creating or rotating a key: the only time the key itself is shown. */
export class CreatedKeyDto extends KeyDto {
  /** The bearer token (`tg-…`). Store it now: it cannot be shown again. */
  key!: string;
}

export class KeyListDto {
  /** Newest first, revoked and expired keys included. */
  data!: KeyDto[];
  /** Keys in all pages. */
  @ApiProperty({ type: 'integer' })
  total!: number;
}
