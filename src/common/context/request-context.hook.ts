import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestContext } from './request-context.js';

const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Work done once per request when its response is over (finished or aborted). */
export type ResponseEndHandler = (
  ctx: RequestContext,
  req: IncomingMessage,
  res: ServerResponse,
  /** The parsed request body, if one was read. */
  body: unknown,
) => void;

/**
 * First hook of every request (`onRequest`, so unmatched routes too): creates its
 * context, settles `x-request-id` (the caller's when it is sane, else a new one), and
 * registers the one `close` listener that detects a client that went away and then runs
 * the end-of-response handlers (log line, metrics, usage row). `res` close, not `req`
 * close: the latter fires as soon as the body has been read.
 */
export function requestContextHook(endHandlers: ResponseEndHandler[] = []) {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const req = request.raw;
    const res = reply.raw;
    const incoming = req.headers['x-request-id'];
    const id =
      typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : `req_${randomUUID()}`;
    const ctx = new RequestContext(id);
    req.tollgate = ctx;
    res.setHeader('x-request-id', id);
    res.once('close', () => {
      if (!res.writableFinished) ctx.clientClosed();
      for (const handler of endHandlers) handler(ctx, req, res, request.body);
    });
    done();
  };
}
