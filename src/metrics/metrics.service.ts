import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestContext } from '../common/context/request-context.js';

/**
 * Prometheus metrics. Observed once per request when its response is over, from the
 * request context, so the hot path itself does no metric work.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'tollgate_requests_total',
    help: 'Proxied requests by provider, model and HTTP status',
    labelNames: ['provider', 'model', 'status', 'stream'] as const,
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

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tollgate_process_' });
  }

  observe(ctx: RequestContext, status: number): void {
    if (!ctx.provider) return;
    const provider = ctx.provider;
    const model = ctx.model ?? '';
    const stream = ctx.stream ? 'true' : 'false';
    this.requests.inc({ provider, model, status: String(status), stream });
    this.duration.observe({ provider, stream }, ctx.elapsedMs() / 1000);
    this.overhead.observe({ provider }, ctx.overheadMs() / 1000);
    if (ctx.ttftMs !== undefined) this.ttft.observe({ provider }, ctx.ttftMs / 1000);
    const u = ctx.usage;
    if (u) {
      this.tokens.inc({ provider, model, kind: 'prompt' }, u.prompt_tokens ?? 0);
      this.tokens.inc({ provider, model, kind: 'completion' }, u.completion_tokens ?? 0);
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
