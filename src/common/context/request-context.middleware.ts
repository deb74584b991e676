import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestContext } from './request-context.js';

const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/**
 * First middleware of every request: creates its context, settles `x-request-id`
 * (the caller's when it is sane, else a new one) and wires client-disconnect detection.
 * `res` close, not `req` close: the latter fires as soon as the body has been read.
 */
export function requestContextMiddleware(
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
): void {
  const incoming = req.headers['x-request-id'];
  const id =
    typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : `req_${randomUUID()}`;
  const ctx = new RequestContext(id);
  req.tollgate = ctx;
  res.setHeader('x-request-id', id);
  res.once('close', () => {
    if (!res.writableFinished) ctx.clientClosed();
  });
  next();
}
