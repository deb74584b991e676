import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { sendJson } from '../http/json-response.js';
import { rawResponse } from '../http/raw-response.js';
import { isClientAbort } from '../http/upstream-http.service.js';
import { toWireError } from './error-envelope.js';
import { ErrorCode } from './gateway-error.js';
import { toGatewayError } from './to-gateway-error.js';

/** The one place a thrown error becomes an OpenAI error envelope on the wire. */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    writeError(
      http.getRequest<FastifyRequest>().raw,
      rawResponse(http.getResponse<FastifyReply>()),
      exception,
      this.logger,
    );
  }
}

export function writeError(
  req: IncomingMessage,
  res: ServerResponse,
  exception: unknown,
  logger: Logger,
): void {
  const ctx = req.tollgate;
  if (isClientAbort(exception)) {
    // The caller hung up while we waited on the upstream (the request context is marked
    // already): nobody to answer.
    if (!res.writableEnded) res.end();
    return;
  }
  const err = toGatewayError(exception, req.method, req.url);
  if (err.code === ErrorCode.Internal) {
    logger.error({ req_id: ctx?.id, err: describe(err.cause ?? exception) }, 'unhandled error');
  }
  const wire = toWireError(err);
  if (ctx) {
    ctx.status = wire.status;
    ctx.sentError(wire.body.error);
  }
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  if (wire.retryAfter !== undefined) res.setHeader('retry-after', wire.retryAfter);
  sendJson(res, wire.status, wire.body, ctx);
}

/** Error name, message and stack only: no request data, headers or upstream bodies. */
function describe(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { value: String(err) };
}
