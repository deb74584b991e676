import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import type { RequestContext } from '../common/context/request-context.js';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { RequestStartHooks } from '../http/request-start-hooks.js';
import { ResponseEndHooks } from '../http/response-end-hooks.js';
import { LOGGER } from '../logging/logger.js';
import type { ChatCompletionRequest } from '../openai/chat-completion.types.js';
import { CallerTrace, startCallerTrace } from './caller-trace.js';
import type { AttemptTarget, AttemptTrace, Tracing } from './tracing.js';

/**
 * OpenTelemetry tracing, off unless an OTLP endpoint is configured. Off, nothing of the
 * SDK is loaded: a request costs one header lookup (a caller's `traceparent` is still
 * passed upstream and its trace id recorded) and an upstream attempt one field check.
 * On, the SDK is imported at start and every request gets a server span, every upstream
 * attempt a client span under it (see `otel-tracing.ts`).
 */
@Injectable()
export class TelemetryService implements OnModuleInit, OnApplicationShutdown {
  private tracing?: Tracing;

  constructor(
    @Inject(TOLLGATE_CONFIG) private readonly config: TollgateConfig,
    private readonly starts: RequestStartHooks,
    private readonly ends: ResponseEndHooks,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Whether spans are made (the SDK is loaded). */
  get tracingOn(): boolean {
    return this.tracing !== undefined;
  }

  async onModuleInit(): Promise<void> {
    const traces = this.config.telemetry.traces;
    if (traces === undefined) {
      this.starts.register(startCallerTrace);
      return;
    }
    const { createTracing } = await import('./otel-tracing.js');
    const tracing = await createTracing(traces, this.config.providers, this.logger);
    this.tracing = tracing;
    this.starts.register((ctx, req) => tracing.startRequest(ctx, req));
    this.ends.register((ctx, req, res) => tracing.endRequest(ctx, req, res));
    this.logger.info(
      {
        endpoint: redactUrl(traces.endpoint),
        protocol: traces.protocol,
        sampler: traces.sampler,
        service: traces.serviceName,
        capture_content: traces.captureContent || undefined,
      },
      'tracing: exporting spans over OTLP',
    );
  }

  /**
   * One upstream attempt of a request that has a trace: a client span when tracing is on,
   * the caller's trace headers unchanged when it is off. Undefined for a request without
   * a trace; callers check `ctx.trace` first so that case costs nothing.
   */
  attempt(
    ctx: RequestContext,
    target: AttemptTarget,
    body: ChatCompletionRequest,
    stream: boolean,
  ): AttemptTrace | undefined {
    const trace = ctx.trace;
    if (trace instanceof CallerTrace) return trace;
    return this.tracing?.startAttempt(ctx, target, body, stream);
  }

  /** Spans still buffered are exported before the process exits (after the drain). */
  async onApplicationShutdown(): Promise<void> {
    await this.tracing?.shutdown();
  }
}

/** The endpoint without any credentials written into it, for the log. */
function redactUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  u.search = '';
  return u.href;
}
