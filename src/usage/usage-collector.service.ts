import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ID_GENERATOR, type IdGenerator } from '../common/clock/clock.js';
import type { RequestContext } from '../common/context/request-context.js';
import { LOGGER } from '../logging/logging.module.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { Pricing } from './pricing.js';
import { countTextTokens, estimatePromptTokens } from './token-estimate.js';
import { UsageRecorder } from './usage-recorder.service.js';
import { buildUsageRecord, type ObservedRequest } from './usage-record.js';

/**
 * Turns a finished (or abandoned) request into its usage row and hands it to the
 * recorder. Runs once per request, when its response has closed.
 */
@Injectable()
export class UsageCollector {
  constructor(
    private readonly recorder: UsageRecorder,
    private readonly pricing: Pricing,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  collect(ctx: RequestContext, body: unknown, res: ServerResponse): void {
    const observed = observe(ctx, body, res);
    if (!observed.partial) {
      this.record(ctx, observed);
      return;
    }
    // Only requests cut short need counting (the tokenizer loads on first use).
    const relayed = ctx.relayedText?.join('') ?? '';
    const needPrompt = !(observed.usage?.prompt_tokens ?? 0);
    void Promise.all([
      needPrompt ? estimatePromptTokens(body) : Promise.resolve(0),
      countTextTokens(relayed),
    ])
      .then(([prompt, completion]) => {
        observed.estimatedPromptTokens = prompt;
        observed.estimatedCompletionTokens = completion;
      })
      .catch((err: unknown) =>
        this.logger.warn({ err: (err as Error).message }, 'usage: token estimate failed'),
      )
      .finally(() => this.record(ctx, observed));
  }

  /**
   * Records the row, counts its cost in the metrics, and settles the request's limits
   * with the same cost and tokens.
   */
  private record(ctx: RequestContext, observed: ObservedRequest): void {
    const row = buildUsageRecord(observed, this.ids.next('usage'), this.pricing);
    this.metrics?.addCost(row);
    this.recorder.record(row);
    ctx.limitTicket?.settle(row.costNanos, row.promptTokens + row.completionTokens);
  }
}

/** What the request context and response say about a request once it is over. */
export function observe(ctx: RequestContext, body: unknown, res: ServerResponse): ObservedRequest {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return {
    requestId: ctx.id,
    startedAt: ctx.startedAtDate.getTime(),
    keyId: ctx.identity?.keyId ?? null,
    teamId: ctx.identity?.teamId ?? null,
    requestedModel: ctx.requestedModel ?? (typeof b.model === 'string' ? b.model : null),
    provider: ctx.provider ?? null,
    model: ctx.model ?? null,
    stream: ctx.stream || b.stream === true,
    // A client that left early is marked on the context (`clientClosed`).
    statusCode: ctx.status ?? res.statusCode,
    usage: ctx.usage,
    latencyMs: round3(ctx.elapsedMs()),
    ttftMs: ctx.ttftMs === undefined ? null : round3(ctx.ttftMs),
    errorType: ctx.errorType ?? null,
    errorCode: ctx.errorCode ?? null,
    partial: ctx.partial,
    user: ctx.user ?? (typeof b.user === 'string' ? b.user : null),
    attempts: ctx.attempts,
    traceId: ctx.trace?.traceId ?? null,
  };
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
