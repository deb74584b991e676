import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { RequestContext } from '../common/context/request-context.js';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { writeError } from '../common/errors/gateway-exception.filter.js';
import { InflightRequests } from './inflight.service.js';
import { RequestStartHooks } from './request-start-hooks.js';
import { ResponseEndHooks } from './response-end-hooks.js';
import { LOGGER } from '../logging/logging.module.js';

const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/**
 * First step of every request (unmatched routes too): creates its context, settles
 * `x-request-id` (the caller's when it is sane, else a new one), runs the start hooks
 * (so a request refused below is still traced), and registers the one `close` listener
 * that detects a client that went away and then runs the end-of-response handlers.
 * `res` close, not `req` close: the latter fires as soon as the body has been read.
 * While the process drains, new requests get the 503 envelope and their connection is
 * closed.
 */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  constructor(
    private readonly starts: RequestStartHooks,
    private readonly hooks: ResponseEndHooks,
    private readonly inflight: InflightRequests,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const incoming = req.headers['x-request-id'];
    const id =
      typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : `req_${randomUUID()}`;
    const ctx = new RequestContext(id);
    req.tollgate = ctx;
    res.setHeader('x-request-id', id);
    this.starts.run(ctx, req);
    // Only proxied API calls are shed; health, readiness and metrics always answer.
    const proxied = req.url?.startsWith(PROXIED_PREFIX) === true;
    let admitted = false;
    res.once('close', () => {
      if (!res.writableFinished) ctx.clientClosed();
      if (admitted) this.inflight.releaseProxied();
      this.inflight.delete(ctx);
      this.hooks.run(ctx, req, res);
    });
    // Liveness stays 200 while draining: the process is healthy, only leaving.
    if (this.inflight.draining && req.url !== '/health') {
      res.setHeader('connection', 'close');
      writeError(req, res, shuttingDown(), this.logger);
      return;
    }
    if (proxied) {
      admitted = this.inflight.admitProxied();
      if (!admitted) {
        writeError(req, res, overloaded(), this.logger);
        return;
      }
    }
    this.inflight.add(ctx);
    next();
  }
}

/** Routes that reach an upstream: the ones load shedding bounds. */
const PROXIED_PREFIX = '/v1/chat/';

/** Refused at once rather than queued: the replica has TOLLGATE_MAX_INFLIGHT requests open. */
export function overloaded(): GatewayError {
  return new GatewayError(
    ErrorCode.ServiceUnavailable,
    'The gateway is at capacity; retry the request shortly.',
    { wireCode: 'overloaded', retryAfter: '1' },
  );
}

export function shuttingDown(): GatewayError {
  return new GatewayError(
    ErrorCode.ServiceUnavailable,
    'The gateway is shutting down; retry the request.',
    { wireCode: 'service_unavailable', retryAfter: '1' },
  );
}
