import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { DEFAULT_PAGE_LIMIT } from '../common/dto/page-query.dto.js';
import type {
  UsageEntryDto,
  UsageGroupDto,
  UsageLogDto,
  UsageSummaryDto,
} from './dto/usage-entry.dto.js';
import type {
  UsageLogQueryDto,
  UsageQueryDto,
  UsageSummaryQueryDto,
} from './dto/usage-query.dto.js';
import { guardStorage } from '../storage/storage-errors.js';
import { nanosToUsd } from './pricing.js';
import { USAGE_CSV_HEADER, usageCsvLine } from './usage-csv.js';
import { UsageRecorder } from './usage-recorder.service.js';
import type { UsageRecord } from './usage-record.js';
import {
  UsageRepository,
  type UsageFilter,
  type UsageGroupBy,
  type UsageSummaryRow,
} from './usage.repository.js';

const DAY_MS = 86_400_000;
/** Entries read per query by a CSV export. */
const CSV_PAGE = 1_000;
/** Most entries one CSV export sends without `limit` (narrow `from`/`to` for more). */
export const CSV_MAX_ROWS = 100_000;

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
    const filter = this.filterOf(q);
    if (!filter) return { data: [], total: 0 };
    // Read-your-writes on this replica: rows still buffered are written first.
    await this.recorder.flush();
    const { records, total } = await guardStorage(
      this.repository.list(filter, q.limit ?? DEFAULT_PAGE_LIMIT, q.offset ?? 0),
    );
    return { data: records.map(toEntry), total };
  }

  /**
   * The log as CSV: a header row, then the entries newest first. With `limit`, that one
   * page; without, every matching entry from `offset` on, up to `CSV_MAX_ROWS`, read a
   * page at a time as the client takes them. The first page is read before anything is
   * sent, so a database outage is still a 503 envelope.
   */
  async csv(
    q: UsageLogQueryDto,
  ): Promise<{ total: number; lines: AsyncIterable<string> | Iterable<string> }> {
    const filter = this.filterOf(q);
    if (!filter) return { total: 0, lines: [USAGE_CSV_HEADER] };
    const pageSize = q.limit ?? CSV_PAGE;
    const max = q.limit ?? CSV_MAX_ROWS;
    await this.recorder.flush();
    const first = await guardStorage(this.repository.list(filter, pageSize, q.offset ?? 0));
    const next = (after: UsageRecord): Promise<UsageRecord[]> =>
      guardStorage(
        this.repository.listAfter(filter, { createdAt: after.createdAt, id: after.id }, CSV_PAGE),
      );
    async function* lines(): AsyncGenerator<string> {
      yield USAGE_CSV_HEADER;
      let page = first.records;
      let sent = 0;
      for (;;) {
        const take = page.slice(0, max - sent);
        if (take.length > 0) yield take.map((r) => usageCsvLine(toEntry(r))).join('');
        sent += take.length;
        const last = page.at(-1);
        if (sent >= max || page.length < pageSize || !last) return;
        page = await next(last);
      }
    }
    return { total: first.total, lines: lines() };
  }

  async summary(q: UsageSummaryQueryDto): Promise<UsageSummaryDto> {
    const groupBy = q.group_by ?? ['model'];
    const filter = this.filterOf(q);
    if (!filter) return { data: [], total: 0 };
    await this.recorder.flush();
    const { rows, total } = await guardStorage(
      this.repository.summary(groupBy, filter, q.limit ?? DEFAULT_PAGE_LIMIT, q.offset ?? 0),
    );
    const idsOf = (column: 'key_id' | 'team_id') =>
      rows.map((r) => r.group[column]).filter((id): id is string => typeof id === 'string');
    const [keyNames, teamNames] = await guardStorage(
      Promise.all([
        groupBy.includes('key') ? this.repository.names('key', idsOf('key_id')) : undefined,
        groupBy.includes('team') ? this.repository.names('team', idsOf('team_id')) : undefined,
      ]),
    );
    const data = rows.map((r) => ({
      group: groupOf(groupBy, r.group, keyNames, teamNames),
      requests: r.requests,
      prompt_tokens: r.promptTokens,
      completion_tokens: r.completionTokens,
      total_tokens: r.totalTokens,
      cost_usd: nanosToUsd(r.costNanos),
      unpriced_requests: r.unpricedRequests,
    }));
    return { data, total };
  }

  /**
   * The filters of a query; null when they cannot match anything. `model` as
   * `provider/model` (as /v1/models lists it) filters on both, which keeps the indexes usable.
   */
  private filterOf(q: UsageQueryDto): UsageFilter | null {
    const filter: UsageFilter = {
      ...range(q.from, q.to),
      requestId: q.request_id,
      traceId: q.trace_id,
      keyId: q.key_id,
      teamId: q.team_id,
      provider: q.provider,
      model: q.model,
    };
    const slash = q.model?.indexOf('/') ?? -1;
    if (q.model !== undefined && slash > 0 && this.providers.has(q.model.slice(0, slash))) {
      const provider = q.model.slice(0, slash);
      if (q.provider !== undefined && q.provider !== provider) return null;
      filter.provider = provider;
      filter.model = q.model.slice(slash + 1);
    }
    return filter;
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

/** A summary row's group as the API shows it: the dimensions asked for, in their order. */
function groupOf(
  groupBy: readonly UsageGroupBy[],
  g: UsageSummaryRow['group'],
  keyNames: Map<string, string> | undefined,
  teamNames: Map<string, string> | undefined,
): UsageGroupDto {
  const text = (v: string | number | null | undefined): string | null =>
    v === null || v === undefined ? null : String(v);
  const out: UsageGroupDto = {};
  for (const dimension of groupBy) {
    switch (dimension) {
      case 'model':
        out.model =
          g.provider == null && g.model == null ? null : `${g.provider ?? ''}/${g.model ?? ''}`;
        break;
      case 'provider':
        out.provider = text(g.provider);
        break;
      case 'key': {
        const id = text(g.key_id);
        out.key_id = id;
        out.key_name = id === null ? null : (keyNames?.get(id) ?? null);
        break;
      }
      case 'team': {
        const id = text(g.team_id);
        out.team_id = id;
        out.team_name = id === null ? null : (teamNames?.get(id) ?? null);
        break;
      }
      case 'day':
        out.day = new Date(Number(g.day) * DAY_MS).toISOString().slice(0, 10);
        break;
    }
  }
  return out;
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
