import { ApiProperty } from '@nestjs/swagger';

export class HealthDto {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';
}

/** The usage writer's backlog (rows waiting for the database). */
export class UsageWriterStateDto {
  /** Rows waiting to be written. */
  @ApiProperty({ type: 'integer' })
  queue!: number;
  /** Age of the oldest waiting row, seconds. */
  oldest_age_s!: number;
  /** Rows set aside because the database refused them. */
  @ApiProperty({ type: 'integer' })
  dead_letters!: number;
}

export class ReadyDto {
  @ApiProperty({ enum: ['ready', 'unavailable'] })
  status!: 'ready' | 'unavailable';
  /** Each dependency and whether it answered (`config`, `storage`, `limits`, `usage_writer`). */
  checks!: Record<string, boolean>;
  /** Where rate limits and budgets are kept: `redis` (shared by every replica) or `local` (this process only). */
  @ApiProperty({ enum: ['redis', 'local'], required: false })
  limits?: 'redis' | 'local';
  usage_writer?: UsageWriterStateDto;
}
