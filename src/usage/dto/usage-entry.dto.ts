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
  status_code!: number;
  prompt_tokens!: number;
  completion_tokens!: number;
  total_tokens!: number;
  /** Prompt tokens read from the provider's cache (inside prompt_tokens). */
  cached_tokens!: number;
  /** Prompt tokens written to the provider's cache (inside prompt_tokens). */
  cache_write_tokens!: number;
  /** Reasoning tokens (inside completion_tokens). */
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
  total!: number;
}

export class UsageSummaryGroupDto {
  /** `provider/model`, provider, key id, team id or `YYYY-MM-DD`; null for requests without one (e.g. master key). */
  @ApiProperty({ type: 'string', nullable: true })
  group!: string | null;
  /** `group_by=key` or `team`: the key's or team's name (null once deleted). */
  @ApiProperty({ type: 'string', nullable: true, required: false })
  name?: string | null;
  requests!: number;
  prompt_tokens!: number;
  completion_tokens!: number;
  total_tokens!: number;
  /** Sum of known costs, USD. */
  cost_usd!: number;
  /** Requests with tokens but no price (not in cost_usd). */
  unpriced_requests!: number;
}

export class UsageSummaryDto {
  data!: UsageSummaryGroupDto[];
}
