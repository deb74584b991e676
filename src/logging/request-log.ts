import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import type { RequestEndHandler } from '../common/context/request-context.js';
import { ResponseEndHooks } from '../http/response-end-hooks.js';
import { LOGGER } from './logger.js';

/** One JSON log line per request, written when its response is over (finished or aborted). */
export function requestLog(logger: Logger): RequestEndHandler {
  return (ctx, req, res) => {
    if (!logger.isLevelEnabled('info')) return;
    logger.info(
      {
        req_id: ctx.id,
        trace_id: ctx.trace?.traceId,
        method: req.method,
        path: req.url,
        status: ctx.status ?? res.statusCode,
        provider: ctx.provider,
        model: ctx.model,
        stream: ctx.stream || undefined,
        key_id: ctx.identity?.keyId ?? undefined,
        latency_ms: round(ctx.elapsedMs()),
        overhead_ms: round(ctx.overheadMs()),
        ttft_ms: ctx.ttftMs === undefined ? undefined : round(ctx.ttftMs),
        error_type: ctx.errorType,
        aborted: ctx.clientGone || undefined,
      },
      'request',
    );
  };
}

/** Adds the request log line to every request's end. */
@Injectable()
export class RequestLog implements OnModuleInit {
  constructor(
    private readonly hooks: ResponseEndHooks,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.hooks.register(requestLog(this.logger));
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
