import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IncomingMessage } from 'node:http';
import type { RequestContext } from '../common/context/request-context.js';
import { ErrorCode } from '../common/errors/gateway-error.js';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { InflightRequests } from '../http/inflight.service.js';
import { matchedRoute } from '../http/matched-route.js';
import { ResponseEndHooks } from '../http/response-end-hooks.js';
import { ModelCatalog } from '../models/model-catalog.service.js';

/** What the usage writer reports to `/metrics` (see UsageRecorder.state). */
export interface UsageWriterStats {
  queue: number;
  oldestAgeS: number;
  deadLetters: number;
}

/** The label value for anything outside the configured sets. */
export const OTHER_LABEL = 'other';
/** The provider label of a request the gateway answered itself (auth refusals, 404s, health). */
export const NO_PROVIDER_LABEL = 'none';
/** Upstream failures by kind: the `class` label of `tollgate_upstream_errors_total`. */
export type UpstreamErrorClass = 'timeout' | 'unreachable' | '4xx' | '5xx' | 'invalid_response';
/** The `key_id` of usage under the master key (or with auth disabled). */
export const MASTER_KEY_LABEL = 'master';
/** The `team_id` of usage under a key that belongs to no team. */
export const NO_TEAM_LABEL = 'none';
/** Keys (and teams) that get their own series in `tollgate_key_cost_usd_total`. */
export const MAX_COST_OWNERS = 1_000;
/** The usage row fields the cost counters read. */
export interface CostedUsage {
  provider: string | null;
  model: string | null;
  keyId: string | null;
  teamId: string | null;
  /** Integer nano-dollars; null when the model has no price. */
  costNanos: bigint | null;
}
/** Statuses that get their own label value; any other is `other`. */
const STATUS_LABELS: ReadonlySet<number> = new Set([
  200, 400, 401, 403, 404, 408, 409, 413, 422, 429, 499, 500, 502, 503, 504,
]);

/**
 * Prometheus metrics. Observed once per request when its response is over, from the
 * request context, so the hot path itself does no metric work.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'tollgate_requests_total',
    help: 'Requests by route, provider (none: answered by the gateway itself), model and HTTP status',
    labelNames: ['route', 'provider', 'model', 'status', 'stream'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'tollgate_request_duration_seconds',
    help: 'Total request duration, upstream time included',
    labelNames: ['provider', 'stream'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  private readonly overhead = new Histogram({
    name: 'tollgate_overhead_seconds',
    help: 'Time spent in the gateway itself, upstream waits excluded (x-tollgate-overhead-ms)',
    labelNames: ['provider'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });
  private readonly ttft = new Histogram({
    name: 'tollgate_time_to_first_token_seconds',
    help: 'Streams: time until the first content delta reached the client',
    labelNames: ['provider'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'tollgate_tokens_total',
    help: 'Tokens by provider, model and kind (prompt, completion)',
    labelNames: ['provider', 'model', 'kind'] as const,
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: 'tollgate_cost_usd_total',
    help: 'Cost in USD of the usage recorded, by provider and model (priced models only)',
    labelNames: ['provider', 'model'] as const,
    registers: [this.registry],
  });
  // Per key (and its team), so spend can be watched per team or per key; ids are made by
  // the admin API, never by a caller, and past MAX_COST_OWNERS they count as `other`.
  private readonly keyCost = new Counter({
    name: 'tollgate_key_cost_usd_total',
    help:
      'Cost in USD of the usage recorded, by managed key and its team (key_id "master": the ' +
      `master key; team_id "none": no team; beyond ${MAX_COST_OWNERS} keys or teams: "other")`,
    labelNames: ['key_id', 'team_id'] as const,
    registers: [this.registry],
  });
  private readonly costKeys = new Set<string>();
  private readonly costTeams = new Set<string>();
  private readonly upstreamErrors = new Counter({
    name: 'tollgate_upstream_errors_total',
    help: 'Upstream failures by provider and class (timeout, unreachable, 4xx, 5xx, invalid_response)',
    labelNames: ['provider', 'class'] as const,
    registers: [this.registry],
  });
  // OpenTelemetry GenAI semantic conventions (gen_ai.client.token.usage,
  // gen_ai.server.request.duration), with the conventions' bucket boundaries.
  private readonly genAiTokens = new Histogram({
    name: 'gen_ai_client_token_usage',
    help: 'Tokens per request by GenAI operation, provider, request model and token type',
    labelNames: [
      'gen_ai_operation_name',
      'gen_ai_provider_name',
      'gen_ai_request_model',
      'gen_ai_token_type',
    ] as const,
    buckets: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304],
    registers: [this.registry],
  });
  private readonly genAiDuration = new Histogram({
    name: 'gen_ai_server_request_duration',
    help: 'Seconds from request to last byte, by GenAI operation, provider and request model',
    labelNames: ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model'] as const,
    buckets: [
      0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    ],
    registers: [this.registry],
  });

  private readonly genAiTtft = new Histogram({
    name: 'gen_ai_server_time_to_first_token',
    help: 'Streams: seconds until the first output token reached the client, by GenAI operation, provider and request model',
    labelNames: ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model'] as const,
    buckets: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    registers: [this.registry],
  });

  /** Configured provider names. */
  private readonly providers: ReadonlySet<string>;

  constructor(
    private readonly hooks: ResponseEndHooks,
    @Optional() @Inject(TOLLGATE_CONFIG) config?: TollgateConfig,
    @Optional() private readonly catalog?: ModelCatalog,
    @Optional() inflight?: InflightRequests,
  ) {
    // Standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes, ...), which
    // stock dashboards and alerts expect.
    collectDefaultMetrics({ register: this.registry });
    this.providers = new Set(config?.providers.map((p) => p.name));
    const open = (): number => inflight?.size ?? 0;
    new Gauge({
      name: 'tollgate_inflight_requests',
      help: 'Requests being served now (streams included)',
      registers: [this.registry],
      collect() {
        this.set(open());
      },
    });
  }

  onModuleInit(): void {
    this.hooks.register((ctx, req, res) => this.observe(ctx, ctx.status ?? res.statusCode, req));
  }

  /** Label-bound children, so a request does no label hashing (prom-client's slow path). */
  private readonly children = new Map<string, ReturnType<MetricsService['bind']>>();

  /** Every request, the gateway's own refusals included (provider `none`). */
  observe(ctx: RequestContext, status: number, req?: IncomingMessage): void {
    // Every label value comes from a fixed or configured set, so no request can add series.
    const route = (req && matchedRoute(req)) ?? OTHER_LABEL;
    const provider = ctx.provider ? this.providerLabel(ctx.provider) : NO_PROVIDER_LABEL;
    const model = ctx.provider ? this.modelLabel(provider, ctx.model) : NO_PROVIDER_LABEL;
    const statusLabel = STATUS_LABELS.has(status) ? String(status) : OTHER_LABEL;
    const key = `${route}\u0000${provider}\u0000${model}\u0000${statusLabel}\u0000${ctx.stream ? 1 : 0}`;
    let c = this.children.get(key);
    if (!c) {
      c = this.bind(route, provider, model, statusLabel, ctx.stream ? 'true' : 'false');
      if (this.children.size < 10_000) this.children.set(key, c);
    }
    c.requests.inc();
    c.duration.observe(ctx.elapsedMs() / 1000);
    c.overhead.observe(ctx.overheadMs() / 1000);
    if (ctx.ttftMs !== undefined) c.ttft.observe(ctx.ttftMs / 1000);
    const u = ctx.usage;
    if (u) {
      c.promptTokens.inc(u.prompt_tokens ?? 0);
      c.completionTokens.inc(u.completion_tokens ?? 0);
    }
    if (!ctx.provider) return;
    c.genAiDuration.observe(ctx.elapsedMs() / 1000);
    if (ctx.ttftMs !== undefined) c.genAiTtft.observe(ctx.ttftMs / 1000);
    if (u) {
      c.genAiInputTokens.observe(u.prompt_tokens ?? 0);
      c.genAiOutputTokens.observe(u.completion_tokens ?? 0);
    }
    const failed = ctx.failure && upstreamErrorClass(ctx.failure.code, ctx.failure.status);
    if (failed) this.upstreamErrors.inc({ provider, class: failed });
  }

  /** A usage row's cost, by provider and model and by key and team. */
  addCost(row: CostedUsage): void {
    if (!row.costNanos || row.provider === null) return;
    const usd = Number(row.costNanos) / 1e9;
    const providerLabel = this.providerLabel(row.provider);
    const modelLabel = this.modelLabel(providerLabel, row.model ?? undefined);
    this.cost.inc({ provider: providerLabel, model: modelLabel }, usd);
    const keyId =
      row.keyId === null ? MASTER_KEY_LABEL : bounded(this.costKeys, row.keyId, MAX_COST_OWNERS);
    const teamId =
      row.teamId === null ? NO_TEAM_LABEL : bounded(this.costTeams, row.teamId, MAX_COST_OWNERS);
    this.keyCost.inc({ key_id: keyId, team_id: teamId }, usd);
  }

  private providerLabel(provider: string): string {
    return this.providers.has(provider) ? provider : OTHER_LABEL;
  }

  /** A model the provider's catalog lists (configured or discovered); `other` otherwise. */
  private modelLabel(provider: string, model: string | undefined): string {
    if (model === undefined || provider === OTHER_LABEL) return OTHER_LABEL;
    return this.catalog?.entry(provider)?.models.has(model) ? model : OTHER_LABEL;
  }

  private bind(route: string, provider: string, model: string, status: string, stream: string) {
    const genAi = {
      gen_ai_operation_name: 'chat',
      gen_ai_provider_name: provider,
      gen_ai_request_model: model,
    };
    return {
      requests: this.requests.labels({ route, provider, model, status, stream }),
      duration: this.duration.labels({ provider, stream }),
      overhead: this.overhead.labels({ provider }),
      ttft: this.ttft.labels({ provider }),
      promptTokens: this.tokens.labels({ provider, model, kind: 'prompt' }),
      completionTokens: this.tokens.labels({ provider, model, kind: 'completion' }),
      genAiDuration: this.genAiDuration.labels(genAi),
      genAiTtft: this.genAiTtft.labels(genAi),
      genAiInputTokens: this.genAiTokens.labels({ ...genAi, gen_ai_token_type: 'input' }),
      genAiOutputTokens: this.genAiTokens.labels({ ...genAi, gen_ai_token_type: 'output' }),
    };
  }

  /** `tollgate_limits_local`: 1 while limits hold per process (no Redis, or Redis unreachable). */
  watchLimitsMode(local: () => boolean): void {
    if (this.limitsLocal) return;
    this.limitsLocal = local;
    new Gauge({
      name: 'tollgate_limits_local',
      help: 'Whether rate limits and budgets are held per process (1) or shared in Redis (0)',
      registers: [this.registry],
      collect() {
        this.set(local() ? 1 : 0);
      },
    });
  }

  private limitsLocal?: () => boolean;

  /**
   * The usage writer's backlog, read at each scrape from `stats` (the recorder's state):
   * rows not yet written, the age of the oldest, rows dead-lettered since start.
   */
  watchUsageWriter(stats: () => UsageWriterStats): void {
    const first = this.usageWriterStats === undefined;
    this.usageWriterStats = stats;
    if (!first) return;
    const read = (): UsageWriterStats => this.usageWriterStats!();
    new Gauge({
      name: 'tollgate_usage_writer_queue_rows',
      help: 'Usage rows not yet in the database (buffered in memory or waiting in the spool)',
      registers: [this.registry],
      collect() {
        this.set(read().queue);
      },
    });
    new Gauge({
      name: 'tollgate_usage_writer_oldest_age_seconds',
      help: 'Age of the oldest usage row not yet in the database (0 when none)',
      registers: [this.registry],
      collect() {
        this.set(read().oldestAgeS);
      },
    });
    let counted = 0;
    new Counter({
      name: 'tollgate_usage_dead_letter_rows_total',
      help: 'Usage rows the database refused, kept in the dead-letter file',
      registers: [this.registry],
      collect() {
        const total = read().deadLetters;
        if (total > counted) this.inc(total - counted);
        counted = total;
      },
    });
  }

  private usageWriterStats?: () => UsageWriterStats;

  /**
   * Circuit breaker states (0 closed, 1 half-open, 2 open), read at each scrape; the
   * targets come from the configuration only.
   */
  watchCircuits(states: () => Array<{ provider: string; model: string; state: number }>): void {
    new Gauge({
      name: 'tollgate_circuit_state',
      help: 'Circuit breaker state per configured target: 0 closed, 1 half-open, 2 open',
      labelNames: ['provider', 'model'] as const,
      registers: [this.registry],
      collect() {
        for (const s of states()) this.set({ provider: s.provider, model: s.model }, s.state);
      },
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * The class of an upstream failure, from the code and status of the error sent (the
 * upstream's own 4xx/5xx pass through as the status); undefined for any other error.
 */
export function upstreamErrorClass(
  code: ErrorCode,
  status: number,
): UpstreamErrorClass | undefined {
  switch (code) {
    case ErrorCode.UpstreamTimeout:
      return 'timeout';
    case ErrorCode.UpstreamUnreachable:
      return 'unreachable';
    case ErrorCode.UpstreamInvalidResponse:
      return 'invalid_response';
    case ErrorCode.Upstream:
      return status < 500 ? '4xx' : '5xx';
    case ErrorCode.InvalidRequest:
    case ErrorCode.InvalidJson:
    case ErrorCode.BodyTooLarge:
    case ErrorCode.RequestTimeout:
    case ErrorCode.Unauthorized:
    case ErrorCode.Forbidden:
    case ErrorCode.NotFound:
    case ErrorCode.ModelNotFound:
    case ErrorCode.ModelAmbiguous:
    case ErrorCode.ProviderNotFound:
    case ErrorCode.RateLimited:
    case ErrorCode.BudgetExceeded:
    case ErrorCode.Unsupported:
    case ErrorCode.ServiceUnavailable:
    case ErrorCode.Internal:
      return undefined;
  }
}

/** `value` while `seen` has room for it (or already holds it), else `other`. */
function bounded(seen: Set<string>, value: string, max: number): string {
  if (seen.has(value)) return value;
  if (seen.size >= max) return OTHER_LABEL;
  seen.add(value);
  return value;
}
