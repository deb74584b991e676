import { Transform } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { PageQueryDto } from '../../common/dto/page-query.dto.js';
import { IsStorableText } from '../../common/validation/storable-text.js';
import { USAGE_GROUPS, type UsageGroupBy } from '../usage.repository.js';

/** Which requests a log page or a summary covers, and the page. */
export class UsageQueryDto extends PageQueryDto {
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

  /** Only the request with this id: the `x-request-id` its response carried. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsStorableText()
  request_id?: string;

  /** Only requests of this W3C trace: 32 lowercase hex digits, as in `traceparent`. */
  @IsOptional()
  @Matches(/^[0-9a-f]{32}$/, { message: 'trace_id must be 32 lowercase hex digits' })
  trace_id?: string;

  /** Start (inclusive): ISO 8601 date or date-time; UTC unless an offset is given. */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** End (exclusive): ISO 8601 date-time, or a date, which includes that whole day (UTC). */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

/** `GET /admin/usage/log`: entries newest first. */
export class UsageLogQueryDto extends UsageQueryDto {}

/** `GET /admin/usage/summary`: totals per group. */
export class UsageSummaryQueryDto extends UsageQueryDto {
  /**
   * What to total by, one or more of `model` (`provider/model`), `provider`, `key`,
   * `team` and `day` (UTC date), comma-separated (`team,key,day`); default `model`.
   */
  @IsOptional()
  // `a,b` and `group_by=a&group_by=b` alike; duplicates dropped, order kept.
  @Transform(({ value }: { value: unknown }) => splitList(value))
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(USAGE_GROUPS, { each: true })
  group_by?: UsageGroupBy[];
}

function splitList(value: unknown): unknown {
  const parts = Array.isArray(value) ? value : [value];
  if (!parts.every((p) => typeof p === 'string')) return value;
  return [...new Set(parts.flatMap((p) => p.split(',')).map((p) => p.trim()))];
}
