import { Inject, Injectable, Optional } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { assertModelAllowed } from '../auth/model-allowlist.js';
import type { ChatCompletionRequest } from '../openai/chat-completion.types.js';
import type { RequestContext } from '../common/context/request-context.js';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import type { ResilienceConfig, TimeoutSettings } from '../config/resilience-config.js';
import { LOGGER } from '../logging/logging.module.js';
import { ModelRouter, type Route } from '../models/model-router.service.js';
import type { StreamChunk, UpstreamCall } from '../providers/provider-adapter.js';
import { TelemetryService } from '../telemetry/telemetry.service.js';
import { AttemptDeadline, mergeTimeouts } from './attempt-deadline.js';
import { CircuitState } from './circuit-breaker.js';
import { retryDelay } from './backoff.js';
import { fallbacksFor } from './fallback-planner.js';
import { orderPool } from './load-balancer.js';
import { classifyFailure } from './retry-policy.js';
import { TargetHealthRegistry, type TargetHealth } from './target-health.service.js';
import { timedStream } from './timed-stream.js';

/** One upstream try: the adapter call, on the route and call it is given. */
/** Admission to the caller's limits, run once before the first upstream attempt. */
export type Admission = () => Promise<void>;

export type Attempt<T> = (route: Route, call: UpstreamCall) => Promise<T>;

export interface Served<T> {
  value: T;
  /** The target that served it. */
  route: Route;
}

/** A target to try: its model as configured, or the primary's route already resolved. */
interface Candidate {
  model: string;
  route?: Route;
  /** Attempts in flight are counted on it (a `least-inflight` pool member). */
  trackInflight: boolean;
}

function answeredByUpstream(err: unknown): boolean {
  return err instanceof GatewayError && err.code === ErrorCode.Upstream;
}

function noTarget(): GatewayError {
  return new GatewayError(
    ErrorCode.ServiceUnavailable,
    'No upstream target could take this request now; retry it.',
    { wireCode: 'no_target_available', retryAfter: '1' },
  );
}

/**
 * Runs a provider call over the request's targets: the routed model (or a pool alias's
 * pick), then its configured fallbacks. Retries retryable failures on the same target
 * with backoff, skips targets whose circuit is open, bounds each attempt by its timeouts,
 * and records attempts and the serving target on the request context. Nothing is retried
 * once an attempt resolved: for a stream that is when the upstream accepted it, before
 * the client was sent anything.
 */
@Injectable()
export class ResilienceService {
  private readonly settings: ResilienceConfig;
  private readonly timeouts: Map<string, TimeoutSettings>;
  private readonly hasFallbacks: boolean;

  constructor(
    @Inject(TOLLGATE_CONFIG) config: TollgateConfig,
    private readonly router: ModelRouter,
    private readonly health: TargetHealthRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() private readonly telemetry?: TelemetryService,
  ) {
    this.settings = config.resilience;
    this.timeouts = mergeTimeouts(config.resilience.timeouts);
    this.hasFallbacks = Object.keys(config.resilience.fallbacks).length > 0;
  }

  async run<T>(
    body: ChatCompletionRequest,
    ctx: RequestContext,
    headers: IncomingHttpHeaders,
    stream: boolean,
    attempt: Attempt<T>,
    admit?: Admission,
  ): Promise<Served<T>> {
    const candidates = this.plan(body, ctx);
    if (admit !== undefined) {
      // Limits and the budget reservation are taken once, priced on the first target;
      // the usage row settles the reservation to what the serving target cost.
      const first = candidates[0]?.route;
      if (first !== undefined) this.setTarget(ctx, first);
      await admit();
    }
    let lastError: unknown;
    let skipped: Array<{ route: Route; health: TargetHealth }> | undefined;
    let tried: string[] | undefined;
    for (const c of candidates) {
      const route = c.route ?? this.resolveFallback(c.model, ctx);
      if (route === undefined) continue;
      const key = `${route.adapter.name}/${route.model}`;
      if (candidates.length > 1) {
        if (tried?.includes(key)) continue;
        (tried ??= []).push(key);
      }
      const health = this.health.get(key);
      if (health !== undefined && !health.breaker.tryAcquire(this.health.clock.now())) {
        (skipped ??= []).push({ route, health });
        continue;
      }
      const outcome = await this.tryTarget(
        route,
        key,
        health,
        c.trackInflight,
        body,
        ctx,
        headers,
        stream,
        attempt,
      );
      if ('value' in outcome) return { value: outcome.value, route };
      lastError = outcome.error ?? lastError;
      if (outcome.stop) throw lastError;
    }
    // Every target's circuit was open: rather than fail with no attempt, try the one
    // that opened longest ago (the likeliest to have recovered).
    if (ctx.attempts === 0 && skipped !== undefined) {
      const oldest = skipped.reduce((a, b) =>
        b.health.breaker.openedAt < a.health.breaker.openedAt ? b : a,
      );
      const outcome = await this.tryTarget(
        oldest.route,
        oldest.health.key,
        oldest.health,
        false,
        body,
        ctx,
        headers,
        stream,
        attempt,
      );
      if ('value' in outcome) return { value: outcome.value, route: oldest.route };
      lastError = outcome.error ?? lastError;
    }
    throw (lastError as Error | undefined) ?? noTarget();
  }

  /** The targets in order; resolves the primary (its routing errors are the caller's). */
  private plan(body: ChatCompletionRequest, ctx: RequestContext): Candidate[] {
    const pool =
      body.provider === undefined && Object.hasOwn(this.settings.pools, body.model)
        ? this.settings.pools[body.model]
        : undefined;
    let candidates: Candidate[];
    if (pool === undefined) {
      const route = this.router.resolve(body.model, body.provider);
      this.setTarget(ctx, route);
      assertModelAllowed(ctx.identity, {
        provider: route.adapter.name,
        model: route.model,
        catalogRouted: route.via === 'catalog',
      });
      candidates = [{ model: body.model, route, trackInflight: false }];
    } else {
      const now = this.health.clock.now();
      const healthOf = pool.targets.map((t) => this.health.get(t.model));
      const order = orderPool(pool, {
        usable: (i) => healthOf[i]?.breaker.stateAt(now) !== CircuitState.Open,
        inflight: (i) => healthOf[i]?.inflight ?? 0,
      });
      const track = pool.strategy === 'least-inflight';
      candidates = order.map((i) => ({ model: pool.targets[i].model, trackInflight: track }));
      // A pool whose every member the key may not use is refused like a single target.
      if (!candidates.some((c) => this.resolveFallback(c.model, ctx, true) !== undefined)) {
        const route = this.router.resolve(candidates[0].model);
        this.setTarget(ctx, route);
        assertModelAllowed(ctx.identity, {
          provider: route.adapter.name,
          model: route.model,
          catalogRouted: route.via === 'catalog',
        });
      }
    }
    if (this.hasFallbacks) {
      const first = candidates[0];
      const more = fallbacksFor(this.settings.fallbacks, body.model, () => {
        const r = first.route ?? this.router.resolve(first.model);
        return `${r.adapter.name}/${r.model}`;
      });
      for (const model of more) candidates.push({ model, trackInflight: false });
    }
    return candidates;
  }

  /**
   * A fallback or pool target's route, when it resolves and the key may use it; a target
   * the key may not use is skipped, never served.
   */
  private resolveFallback(model: string, ctx: RequestContext, quiet = false): Route | undefined {
    let route: Route;
    try {
      route = this.router.resolve(model);
      assertModelAllowed(ctx.identity, {
        provider: route.adapter.name,
        model: route.model,
        catalogRouted: route.via === 'catalog',
      });
    } catch (err) {
      if (!quiet) {
        this.logger.debug(
          { request_id: ctx.id, target: model, reason: (err as Error).message },
          'fallback target skipped',
        );
      }
      return undefined;
    }
    return route;
  }

  private async tryTarget<T>(
    route: Route,
    key: string,
    health: TargetHealth | undefined,
    trackInflight: boolean,
    body: ChatCompletionRequest,
    ctx: RequestContext,
    headers: IncomingHttpHeaders,
    stream: boolean,
    attempt: Attempt<T>,
  ): Promise<{ value: T } | { error: unknown; stop: boolean }> {
    const limits =
      this.timeouts.size === 0
        ? undefined
        : (this.timeouts.get(key) ?? this.timeouts.get(route.adapter.name));
    const clock = this.health.clock;
    let error: unknown;
    for (let retry = 0; ; retry++) {
      // A half-open circuit lets one probe through; once it failed, retries move on.
      if (retry > 0 && health !== undefined && !health.breaker.tryAcquire(clock.now())) {
        return { error, stop: false };
      }
      this.setTarget(ctx, route);
      ctx.attempts++;
      if (trackInflight && health !== undefined) health.inflight++;
      const deadline =
        limits === undefined
          ? undefined
          : new AttemptDeadline(ctx.signal, limits, route.adapter.name, stream);
      // A request without a trace (the usual case with tracing off) pays this check only.
      const traced =
        ctx.trace === undefined
          ? undefined
          : this.telemetry?.attempt(
              ctx,
              { provider: route.adapter.name, type: route.adapter.type, model: route.model },
              body,
              stream,
            );
      const call: UpstreamCall = {
        body,
        model: route.model,
        signal: deadline?.signal ?? ctx.signal,
        clientHeaders: headers,
        requestId: ctx.id,
        traceHeaders: traced?.headers,
        onUpstreamHeaders: onHeaders(ctx, stream, deadline),
      };
      let value: T;
      ctx.upstreamStart();
      try {
        value = await attempt(route, call);
        if (deadline !== undefined && stream) {
          value = (await timedStream(
            value as AsyncIterable<StreamChunk>,
            deadline,
            limits?.firstTokenMs !== undefined,
          )) as T;
        } else {
          deadline?.dispose();
        }
        if (traced !== undefined) value = traced.answered(value);
      } catch (err) {
        ctx.upstreamEnd();
        deadline?.dispose();
        if (trackInflight && health !== undefined) health.inflight--;
        error = deadline?.error ?? err;
        traced?.failed(error);
        const action = classifyFailure(error);
        if (health !== undefined) {
          if (action !== 'stop') health.breaker.failure(clock.now());
          // A refusal the upstream itself sent shows it alive; one the gateway made before
          // sending (or a client that left) says nothing about it.
          else if (answeredByUpstream(error) && !ctx.signal.aborted)
            health.breaker.success(clock.now());
          else health.breaker.release();
        }
        if (action !== 'retry' || retry >= this.settings.retries) {
          return { error, stop: action === 'stop' };
        }
        const wait = retryDelay(
          error instanceof GatewayError ? error.retryAfterMs : undefined,
          retry,
          this.settings.backoff,
          this.settings.maxRetryAfterMs,
        );
        if (wait === undefined) return { error, stop: false };
        if (!(await this.backoff(wait, ctx))) return { error, stop: true };
        continue;
      } finally {
        ctx.upstreamEnd();
      }
      if (health !== undefined) {
        health.breaker.success(clock.now());
        if (trackInflight) {
          const h = health;
          ctx.onEnd(() => h.inflight--);
        }
      }
      return { value };
    }
  }

  /** Waits before a retry (counted as upstream time); false when the client left meanwhile. */
  private async backoff(ms: number, ctx: RequestContext): Promise<boolean> {
    if (ms > 0) {
      ctx.upstreamStart();
      try {
        await sleep(ms, undefined, { signal: ctx.signal });
      } catch {
        // aborted: the client left
      } finally {
        ctx.upstreamEnd();
      }
    }
    return !ctx.signal.aborted;
  }

  private setTarget(ctx: RequestContext, route: Route): void {
    ctx.provider = route.adapter.name;
    ctx.model = route.model;
  }
}

/** Headers arrived: a stream's wait on the upstream ends there; the attempt's deadline moves on. */
function onHeaders(
  ctx: RequestContext,
  stream: boolean,
  deadline: AttemptDeadline | undefined,
): (() => void) | undefined {
  if (deadline === undefined) return stream ? () => ctx.upstreamEnd() : undefined;
  return stream
    ? () => {
        ctx.upstreamEnd();
        deadline.headers();
      }
    : () => deadline.headers();
}
