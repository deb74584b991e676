import type { ServerResponse } from 'node:http';
import type { RequestContext } from '../context/request-context.js';

/** Sends a JSON body with the gateway's overhead header set at the last moment. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  ctx: RequestContext | undefined,
): void {
  const payload = JSON.stringify(body);
  if (ctx) {
    if (ctx.limitHeaders) for (const h in ctx.limitHeaders) res.setHeader(h, ctx.limitHeaders[h]);
    res.setHeader('x-tollgate-overhead-ms', ctx.overheadMs().toFixed(3));
  }
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(payload));
  res.end(payload);
}
