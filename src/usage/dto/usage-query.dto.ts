import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsStorableText } from '../../common/validation/storable-text.js';

export const USAGE_GROUPS = ['model', 'provider', 'key', 'team', 'day'] as const;

class UsageRangeQueryDto {
  /** Start (inclusive): ISO 8601 date or date-time; UTC unless an offset is given. */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** End (exclusive): ISO 8601 date-time, or a date, which includes that whole day (UTC). */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class UsageLogQueryDto extends UsageRangeQueryDto {
  /** Entries per page, 1–1000. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number = 100;

  /** Entries to skip (newest first). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(9_007_199_254_740_991) // Number.MAX_SAFE_INTEGER; the database binds it as an integer
  offset?: number = 0;

  /** Only this managed key's requests. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsStorableText()
  key_id?: string;

  /** Only requests of keys in this team. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsStorableText()
  team_id?: string;

  /** Only this provider instance. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsStorableText()
  provider?: string;

  /** Only this upstream model id, or `provider/model`. */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @IsStorableText()
  model?: string;
}

export class UsageSummaryQueryDto extends UsageRangeQueryDto {
  /** What to total by: `model` (`provider/model`), `provider`, `key` (key id), `team` (team id) or `day` (UTC). */
  @IsOptional()
  @IsIn(USAGE_GROUPS)
  group_by?: (typeof USAGE_GROUPS)[number] = 'model';
}
