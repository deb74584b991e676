import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import type { UsageEntryDto, UsageLogDto, UsageSummaryDto } from './dto/usage-entry.dto.js';
import type { UsageLogQueryDto, UsageSummaryQueryDto } from './dto/usage-query.dto.js';
import { guardStorage } from '../storage/storage-errors.js';
import { nanosToUsd } from './pricing.js';
import { UsageRecorder } from './usage-recorder.service.js';
import type { UsageRecord } from './usage-record.js';
import { UsageRepository, type UsageFilter, type UsageSummaryRow } from './usage.repository.js';

const DAY_MS = 86_400_000;

/** The admin view of the usage log: pages of entries and totals per group. */
@Injectable()
export class UsageService {
  private readonly providers: Set<string>;

  constructor(
    private readonly repository: UsageRepository,
    private readonly recorder: UsageRecorder,
    @Inject(TOLLGATE_CONFIG) config: TollgateConfig,
  ) {
    this.providers = new Set(config.providers.map((p) => p.name));
  }

  async log(q: UsageLogQueryDto): Promise<UsageLogDto> {
    const filter: UsageFilter = {
      ...range(q.from, q.to),
      keyId: q.key_id,
      teamId: q.team_id,
      provider: q.provider,
      model: q.model,
    };
    // `provider/model`, as /v1/models lists it, filters on both (and keeps the indexes usable).
    const slash = q.model?.indexOf('/') ?? -1;
    if (q.model !== undefined && slash > 0 && this.providers.has(q.model.slice(0, slash))) {
      const provider = q.model.slice(0, slash);
      if (q.provider !== undefined && q.provider !== provider) return { data: [], total: 0 };
      filter.provider = provider;
      filter.model = q.model.slice(slash + 1);
    }
    // Read-your-writes on this replica: rows still buffered are written first.
    await this.recorder.flush();
    const { records, total } = await guardStorage(
      this.repository.list(filter, q.limit ?? 100, q.offset ?? 0),
    );
    return { data: records.map(toEntry), total };
  }

  async summary(q: UsageSummaryQueryDto): Promise<UsageSummaryDto> {
    const groupBy = q.group_by ?? 'model';
    await this.recorder.flush();
    const rows = await guardStorage(this.repository.summary(groupBy, range(q.from, q.to)));
    const names =
      groupBy === 'key' || groupBy === 'team'
        ? await guardStorage(
            this.repository.names(
              groupBy,
              rows.map((r) => r.group[0]).filter((g): g is string => typeof g === 'string'),
            ),
          )
        : undefined;
    const data = rows.map((r) => ({
      group: groupName(groupBy, r),
      ...(names && {
        name: typeof r.group[0] === 'string' ? (names.get(r.group[0]) ?? null) : null,
      }),
      requests: r.requests,
      prompt_tokens: r.promptTokens,
      completion_tokens: r.completionTokens,
      total_tokens: r.totalTokens,
      cost_usd: nanosToUsd(r.costNanos),
      unpriced_requests: r.unpricedRequests,
    }));
    if (groupBy === 'day') data.sort((a, b) => (a.group ?? '').localeCompare(b.group ?? ''));
    else {
      data.sort(
        (a, b) =>
          b.cost_usd - a.cost_usd ||
          b.requests - a.requests ||
          (a.group ?? '').localeCompare(b.group ?? ''),
      );
    }
    return { data };
  }
}

export function toEntry(r: UsageRecord): UsageEntryDto {
  return {
    id: r.id,
    request_id: r.requestId,
    created_at: new Date(r.createdAt).toISOString(),
    key_id: r.keyId,
    team_id: r.teamId,
    requested_model: r.requestedModel,
    provider: r.provider,
    model: r.model,
    stream: r.stream,
    status_code: r.statusCode,
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    total_tokens: r.totalTokens,
    cached_tokens: r.cachedTokens,
    cache_write_tokens: r.cacheWriteTokens,
    reasoning_tokens: r.reasoningTokens,
    cost_usd: r.costNanos === null ? null : nanosToUsd(r.costNanos),
    cost_reason: r.costReason,
    latency_ms: r.latencyMs,
    ttft_ms: r.ttftMs,
    error_type: r.errorType,
    error_code: r.errorCode,
    partial: r.partial,
    usage_estimated: r.usageEstimated,
    user: r.user,
    attempts: r.attempts,
    trace_id: r.traceId,
  };
}

function groupName(groupBy: UsageSummaryQueryDto['group_by'], r: UsageSummaryRow): string | null {
  const [a, b] = r.group;
  switch (groupBy) {
    case 'model':
      return a === null && b === null ? null : `${a ?? ''}/${b ?? ''}`;
    case 'day':
      return new Date(Number(a) * DAY_MS).toISOString().slice(0, 10);
    case 'provider':
    case 'key':
    case 'team':
    case undefined:
      return a === null ? null : String(a);
  }
}

/** `from`/`to` query values as epoch ms: `from` inclusive, `to` exclusive. */
export function range(from?: string, to?: string): Pick<UsageFilter, 'from' | 'to'> {
  const out: Pick<UsageFilter, 'from' | 'to'> = {};
  if (from !== undefined) out.from = parseInstant(from, 'from', false);
  if (to !== undefined) out.to = parseInstant(to, 'to', true);
  if (out.from !== undefined && out.to !== undefined && out.from >= out.to) {
    throw new GatewayError(ErrorCode.InvalidRequest, "'from' must be before 'to'.", {
      param: 'from',
      wireCode: 'invalid_value',
    });
  }
  return out;
}

function parseInstant(value: string, param: string, endOfDay: boolean): number {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  // A date-time without an offset is taken as UTC, not the server's local time.
  const withZone = dateOnly || /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value) ? value : `${value}Z`;
  const ms = Date.parse(dateOnly ? `${value}T00:00:00Z` : withZone);
  if (Number.isNaN(ms)) {
    throw new GatewayError(ErrorCode.InvalidRequest, `Invalid value for '${param}': not a date.`, {
      param,
      wireCode: 'invalid_value',
    });
  }
  return dateOnly && endOfDay ? ms + DAY_MS : ms;
}
