import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { CLOCK, type Clock } from '../common/clock/clock.js';
import type { LimitScope, LimitTicket, RequestContext } from '../common/context/request-context.js';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import type { LimitsConfig, ProviderConfig, TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { Readiness } from '../health/readiness.service.js';
import { LOGGER } from '../logging/logging.module.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RedisService } from '../redis/redis.service.js';
import { nanosToUsd, Pricing } from '../usage/pricing.js';
import { estimatePromptTokens } from '../usage/token-estimate.js';
import { UsageRepository } from '../usage/usage.repository.js';
import { formatResetDuration } from './budget-period.js';
import type { AdmitInput, AdmitResult, LimitsBackend, SpendSource } from './limits-backend.js';
import { LocalLimits } from './local-limits.js';
import { RedisLimits } from './redis-limits.js';
import { outputCeiling, worstCaseNanos } from './worst-case-cost.js';

export type LimitsMode = 'redis' | 'local';

/**
 * Admission of requests made with limited keys (rpm, tpm, max_parallel, budgets, of the
 * key and of its team), in Redis when configured (one scripted round trip, shared by every
 * replica) or in this process. Called by the chat service before the upstream call; a key
 * without limits never gets here.
 *
 * A request admitted holds a ticket: its parallel slots are freed when its response ends
 * (an end-of-response hook of the request, so it cannot be skipped), and its budget
 * reservation becomes its recorded cost when the usage collector has priced it.
 *
 * While Redis is unreachable, limits hold per process (`/ready` says `"limits":"local"`,
 * the gauge `tollgate_limits_local` is 1, a line is logged), or with
 * `TOLLGATE_LIMITS_FAIL=closed` limited keys get 503; ioredis reconnects by itself and the
 * next admission goes back to Redis.
 */
@Injectable()
export class LimitsService implements OnModuleInit {
  private readonly local: LocalLimits;
  private readonly shared?: RedisLimits;
  private readonly options: LimitsConfig;
  private readonly providers: Map<string, ProviderConfig>;
  private redisFailing = false;

  constructor(
    @Inject(TOLLGATE_CONFIG) config: TollgateConfig,
    private readonly pricing: Pricing,
    usage: UsageRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() private readonly redis?: RedisService,
    @Optional() private readonly readiness?: Readiness,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.options = config.limits;
    this.providers = new Map(config.providers.map((p) => [p.name, p]));
    const spend: SpendSource = (scope, from) =>
      usage.sumCost(scope.kind === 'key' ? { keyId: scope.id, from } : { teamId: scope.id, from });
    this.local = new LocalLimits(clock, spend);
    if (redis) {
      this.shared = new RedisLimits(
        () => redis.connection,
        config.limits.redisPrefix,
        config.limits.slotTtlMs,
        spend,
      );
    }
  }

  onModuleInit(): void {
    this.redis?.onReconnect(() => this.redisBack());
    this.readiness?.report('limits', () => ({ ready: true, detail: this.mode }));
    this.metrics?.watchLimitsMode(() => this.mode === 'local');
  }

  /** Where limits are held right now. */
  get mode(): LimitsMode {
    return this.shared && !this.redisFailing && this.redis?.connection?.status === 'ready'
      ? 'redis'
      : 'local';
  }

  /**
   * Admits the request or throws its refusal (429 `rate_limit_exceeded` /
   * `insufficient_quota`, 503 with fail-closed). Sets the rate-limit headers either way.
   */
  async admit(ctx: RequestContext, body: unknown): Promise<void> {
    const scopes = ctx.identity?.limits;
    if (!scopes) return;
    const ticket = new Ticket(this.logger);
    ctx.limitTicket = ticket;
    ctx.onEnd(() => ticket.end());
    const input: AdmitInput = {
      requestId: ctx.id,
      scopes,
      reserveNanos: scopes.some((s) => s.budgetNanos !== null)
        ? await this.worstCase(ctx, body)
        : 0n,
      at: ctx.startedAtDate.getTime(),
    };
    const { backend, result } = await this.run(input);
    ctx.limitHeaders = headers(scopes, result);
    if (!result.ok) throw refusal(result, input);
    ticket.admitted(backend, input);
  }

  private async run(input: AdmitInput): Promise<{ backend: LimitsBackend; result: AdmitResult }> {
    if (this.shared) {
      if (this.redis?.connection?.status === 'ready') {
        try {
          const result = await withTimeout(this.shared.admit(input), this.options.redisTimeoutMs);
          this.redisBack();
          return { backend: this.shared, result };
        } catch (err) {
          // The script may have run: free what it may have taken (best effort; TTLs else).
          void this.shared.release(input.requestId, input.scopes).catch(() => undefined);
          this.redisDown(err);
        }
      } else {
        this.redisDown(new Error(`connection ${this.redis?.connection?.status ?? 'absent'}`));
      }
      if (this.options.failMode === 'closed') {
        throw new GatewayError(
          ErrorCode.ServiceUnavailable,
          'Rate limits cannot be checked right now; retry the request.',
          { wireCode: 'service_unavailable', retryAfter: '1' },
        );
      }
    }
    return { backend: this.local, result: await this.local.admit(input) };
  }

  /** Worst-case cost of the request at its routed model's price. */
  private async worstCase(ctx: RequestContext, body: unknown): Promise<bigint> {
    const provider = ctx.provider ?? '';
    const model = ctx.model ?? '';
    const price = this.pricing.priceFor(provider, model);
    if (!price) {
      if (this.options.unpriced === 'allow') return 0n;
      throw new GatewayError(
        ErrorCode.Forbidden,
        `The model '${provider}/${model}' has no price, so this API key's budget cannot cover it.`,
        { param: 'model', wireCode: 'model_unpriced' },
      );
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const prompt = await estimatePromptTokens(body);
    const output = outputCeiling(
      b,
      this.providers.get(provider),
      model,
      this.options.defaultMaxOutputTokens,
    );
    return worstCaseNanos(prompt, output, price);
  }

  private redisDown(err: unknown): void {
    if (this.redisFailing) return;
    this.redisFailing = true;
    this.logger.warn(
      { err: { message: (err as Error).message }, fail: this.options.failMode },
      this.options.failMode === 'closed'
        ? 'limits: redis unreachable, limited keys are refused (TOLLGATE_LIMITS_FAIL=closed)'
        : 'limits: redis unreachable, limits now hold per process',
    );
  }

  private redisBack(): void {
    if (!this.redisFailing) return;
    this.redisFailing = false;
    this.logger.info('limits: redis reachable again, limits are shared');
  }
}

/**
 * One request's hold on its limits. The response may end, or its cost be known, before
 * admission has answered (a client that left meanwhile): both are remembered and applied
 * once it is admitted.
 */
class Ticket implements LimitTicket {
  private backend?: LimitsBackend;
  private input?: AdmitInput;
  private ended = false;
  private settlement?: { cost: bigint; tokens: number };

  constructor(private readonly logger: Logger) {}

  admitted(backend: LimitsBackend, input: AdmitInput): void {
    this.backend = backend;
    this.input = input;
    if (this.ended) this.release();
    if (this.settlement) this.apply();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.backend) this.release();
  }

  settle(costNanos: bigint | null, tokens: number): void {
    if (this.settlement) return;
    this.settlement = { cost: costNanos ?? 0n, tokens };
    if (this.backend) this.apply();
  }

  private release(): void {
    this.backend!.release(this.input!.requestId, this.input!.scopes).catch((err: unknown) =>
      this.logger.warn(
        { err: { message: (err as Error).message } },
        'limits: could not free a parallel slot; it lapses after its TTL',
      ),
    );
  }

  private apply(): void {
    const { cost, tokens } = this.settlement!;
    this.backend!.settle(this.input!, cost, tokens).catch((err: unknown) =>
      this.logger.warn(
        { err: { message: (err as Error).message } },
        'limits: could not settle a request; its reservation lapses after its TTL',
      ),
    );
  }
}

/** OpenAI's rate-limit headers, from the most constrained scope of each kind. */
export function headers(
  scopes: readonly LimitScope[],
  result: AdmitResult,
): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  const reset = formatResetDuration(result.resetMs);
  const pick = (limit: (s: LimitScope) => number | null, used: (i: number) => number) => {
    let best: { limit: number; remaining: number } | undefined;
    scopes.forEach((s, i) => {
      const l = limit(s);
      if (l === null) return;
      const remaining = Math.max(0, l - used(i));
      if (!best || remaining < best.remaining) best = { limit: l, remaining };
    });
    return best;
  };
  const requests = pick(
    (s) => s.rpm,
    (i) => result.counts[i].requests,
  );
  if (requests) {
    out = {
      'x-ratelimit-limit-requests': String(requests.limit),
      'x-ratelimit-remaining-requests': String(requests.remaining),
      'x-ratelimit-reset-requests': reset,
    };
  }
  const tokens = pick(
    (s) => s.tpm,
    (i) => result.counts[i].tokens,
  );
  if (tokens) {
    out = {
      ...out,
      'x-ratelimit-limit-tokens': String(tokens.limit),
      'x-ratelimit-remaining-tokens': String(tokens.remaining),
      'x-ratelimit-reset-tokens': reset,
    };
  }
  return out;
}

function refusal(result: Extract<AdmitResult, { ok: false }>, input: AdmitInput): GatewayError {
  const s = result.scope;
  const whose = s.kind === 'key' ? 'this API key' : "this API key's team";
  const retryAfter = String(Math.max(1, Math.ceil(result.resetMs / 1000)));
  switch (result.refusal) {
    case 'rpm':
      return new GatewayError(
        ErrorCode.RateLimited,
        `Rate limit reached for requests per minute of ${whose}: limit ${s.rpm}. Retry after ${retryAfter}s.`,
        { wireCode: 'rate_limit_exceeded', retryAfter },
      );
    case 'tpm':
      return new GatewayError(
        ErrorCode.RateLimited,
        `Rate limit reached for tokens per minute of ${whose}: limit ${s.tpm}. Retry after ${retryAfter}s.`,
        { wireCode: 'rate_limit_exceeded', retryAfter },
      );
    case 'parallel':
      return new GatewayError(
        ErrorCode.RateLimited,
        `Too many requests in flight for ${whose}: limit ${s.maxParallel}.`,
        { wireCode: 'rate_limit_exceeded', retryAfter: '1' },
      );
    case 'budget':
      return new GatewayError(
        ErrorCode.BudgetExceeded,
        `The budget of ${whose} ($${nanosToUsd(s.budgetNanos ?? 0n)} ${s.budgetPeriod ?? 'total'}) does not cover this request's worst-case cost ($${nanosToUsd(input.reserveNanos)}). Lower max_tokens or wait for the next period.`,
        { wireCode: 'insufficient_quota' },
      );
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
