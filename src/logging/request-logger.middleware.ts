import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { MetricsService } from '../metrics/metrics.service.js';

/**
 * When a response is over (finished or aborted): one log line and the request's metrics.
 */
export function requestLoggerMiddleware(logger: Logger, metrics: MetricsService) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    res.once('close', () => {
      const ctx = req.tollgate;
      if (!ctx) return;
      metrics.observe(ctx, ctx.status ?? res.statusCode);
      if (!logger.isLevelEnabled('info')) return;
      logger.info(
        {
          req_id: ctx.id,
          method: req.method,
          path: (req as { originalUrl?: string }).originalUrl ?? req.url,
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
    });
    next();
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
