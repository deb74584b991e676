import type { Logger } from 'pino';
import type { ResponseEndHandler } from '../common/context/request-context.hook.js';

/** One JSON log line per request, written when its response is over (finished or aborted). */
export function requestLog(logger: Logger): ResponseEndHandler {
  return (ctx, req, res) => {
    if (!logger.isLevelEnabled('info')) return;
    logger.info(
      {
        req_id: ctx.id,
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

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
