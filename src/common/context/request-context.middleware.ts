import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestContext } from './request-context.js';

const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Work done once per request when its response is over (finished or aborted). */
export type ResponseEndHandler = (
  ctx: RequestContext,
  req: IncomingMessage,
  res: ServerResponse,
) => void;

/**
 * First middleware of every request: creates its context, settles `x-request-id` (the
 * caller's when it is sane, else a new one), and registers the one `close` listener that
 * detects a client that went away and then runs the end-of-response handlers (log line,
 * metrics, usage row). `res` close, not `req` close: the latter fires as soon as the body
 * has been read.
 */
export function requestContextMiddleware(endHandlers: ResponseEndHandler[] = []) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const incoming = req.headers['x-request-id'];
    const id =
      typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : `req_${randomUUID()}`;
    const ctx = new RequestContext(id);
    req.tollgate = ctx;
    res.setHeader('x-request-id', id);
    res.once('close', () => {
      if (!res.writableFinished) ctx.clientClosed();
      for (const handler of endHandlers) handler(ctx, req, res);
    });
    next();
  };
}
