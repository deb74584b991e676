import { ApiProperty } from '@nestjs/swagger';

/** One proxied request. */
export class UsageEntryDto {
  id!: string;
  /** The `x-request-id` the response carried. */
  request_id!: string;
  /** When the request arrived (ISO 8601, UTC). */
  created_at!: string;
  /** Managed key id; null for the master key. */
  @ApiProperty({ type: 'string', nullable: true })
  key_id!: string | null;
  /** The key's team when the request was made; null without one. */
  @ApiProperty({ type: 'string', nullable: true })
  team_id!: string | null;
  /** `model` as the client sent it. */
  @ApiProperty({ type: 'string', nullable: true })
  requested_model!: string | null;
  /** Provider instance that served it; null when routing failed. */
  @ApiProperty({ type: 'string', nullable: true })
  provider!: string | null;
  /** Upstream model id. */
  @ApiProperty({ type: 'string', nullable: true })
  model!: string | null;
  stream!: boolean;
  /** HTTP status sent (499: the client left before any response). */
  @ApiProperty({ type: 'integer' })
  status_code!: number;
  @ApiProperty({ type: 'integer' })
  prompt_tokens!: number;
  @ApiProperty({ type: 'integer' })
  completion_tokens!: number;
  @ApiProperty({ type: 'integer' })
  total_tokens!: number;
  /** Prompt tokens read from the provider's cache (inside prompt_tokens). */
  @ApiProperty({ type: 'integer' })
  cached_tokens!: number;
  /** Prompt tokens written to the provider's cache (inside prompt_tokens). */
  @ApiProperty({ type: 'integer' })
  cache_write_tokens!: number;
  /** Reasoning tokens (inside completion_tokens). */
  @ApiProperty({ type: 'integer' })
  reasoning_tokens!: number;
  /** Cost in USD (stored exactly as integer nano-dollars); null when the model has no price. */
  @ApiProperty({ type: 'number', nullable: true })
  cost_usd!: number | null;
  /** Why cost_usd is null: `unpriced_model`. */
  @ApiProperty({ type: 'string', nullable: true })
  cost_reason!: string | null;
  /** Arrival to response close, milliseconds. */
  latency_ms!: number;
  /** Streams: arrival to the first content delta relayed, milliseconds. */
  @ApiProperty({ type: 'number', nullable: true })
  ttft_ms!: number | null;
  /** OpenAI error type of the response, when it failed. */
  @ApiProperty({ type: 'string', nullable: true })
  error_type!: string | null;
  @ApiProperty({ type: 'string', nullable: true })
  error_code!: string | null;
  /** The response ended before the upstream finished (client abort, mid-stream error). */
  partial!: boolean;
  /** Some token counts were counted by the gateway (o200k tokenizer), not reported upstream. */
  usage_estimated!: boolean;
  /** The OpenAI `user` field of the request. */
  @ApiProperty({ type: 'string', nullable: true })
  user!: string | null;
  /** Upstream tries made (retries and fallbacks included); 0 when none was made. */
  @ApiProperty({ type: 'integer' })
  attempts!: number;
  /**
   * W3C trace id (32 hex digits) of the request: its OpenTelemetry trace, or the caller's
   * `traceparent` when tracing is off; null when it had neither.
   */
  @ApiProperty({ type: 'string', nullable: true })
  trace_id!: string | null;
}

export class UsageLogDto {
  /** Newest first. */
  data!: UsageEntryDto[];
  /** Entries matching the filters, all pages. */
  @ApiProperty({ type: 'integer' })
  total!: number;
}

/** The group a summary row totals: only the dimensions asked for in `group_by` are present. */
export class UsageGroupDto {
  /** `group_by=model`: `provider/model`; null when routing failed. */
  @ApiProperty({ type: 'string', nullable: true, required: false })
  model?: string | null;
  /** `group_by=provider`: the provider instance; null when routing failed. */
  @ApiProperty({ type: 'string', nullable: true, required: false })
  provider?: string | null;
  /** `group_by=key`: the managed key; null for the master key. */
  @ApiProperty({ type: 'string', nullable: true, required: false })
  key_id?: string | null;
  /** `group_by=key`: the key's name; null for the master key. */
  @ApiProperty({ type: 'string', nullable: true, required: false })
  key_name?: string | null;
  /** `group_by=team`: the team; null for requests of no team. */
  @ApiProperty({ type: 'string', nullable: true, required: false })
  team_id?: string | null;
  /** `group_by=team`: the team's name; null without a team, or once the team is deleted. */
  @ApiProperty({ type: 'string', nullable: true, required: false })
  team_name?: string | null;
  /** `group_by=day`: the UTC date, `YYYY-MM-DD`. */
  day?: string;
}

/** Totals of one group. */
export class UsageSummaryRowDto {
  group!: UsageGroupDto;
  @ApiProperty({ type: 'integer' })
  requests!: number;
  @ApiProperty({ type: 'integer' })
  prompt_tokens!: number;
  @ApiProperty({ type: 'integer' })
  completion_tokens!: number;
  @ApiProperty({ type: 'integer' })
  total_tokens!: number;
  /** Sum of known costs, USD. */
  cost_usd!: number;
  /** Requests with tokens but no price (not in cost_usd). */
  @ApiProperty({ type: 'integer' })
  unpriced_requests!: number;
}

export class UsageSummaryDto {
  /**
   * By day first when grouped by day, then by cost and requests (most first), then by the
   * group's values.
   */
  data!: UsageSummaryRowDto[];
  /** Groups in all pages. */
  @ApiProperty({ type: 'integer' })
  total!: number;
}
