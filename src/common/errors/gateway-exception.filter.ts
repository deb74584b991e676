import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { LOGGER } from '../../logging/logger.js';
import { sendJson } from '../http/json-response.js';
import { isClientAbort } from '../http/upstream-http.service.js';
import { toWireError } from './error-envelope.js';
import { ErrorCode, GatewayError } from './gateway-error.js';
import { toGatewayError } from './to-gateway-error.js';

/**
 * The one place a thrown error becomes an OpenAI error envelope on the wire (registered
 * globally as `APP_FILTER`; unmatched routes reach it too).
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    writeError(
      http.getRequest<IncomingMessage>(),
      http.getResponse<ServerResponse>(),
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
  if (ctx?.cut) {
    exception = new GatewayError(
      ErrorCode.ServiceUnavailable,
      'The gateway shut down before the upstream answered; retry the request.',
      { wireCode: 'service_unavailable', retryAfter: '1' },
    );
  } else if (isClientAbort(exception)) {
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
    ctx.sentError(wire.body.error, { code: err.code, status: wire.status });
  }
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  if (wire.retryAfter !== undefined) res.setHeader('retry-after', wire.retryAfter);
  // A body left unread (refused before it was read, or cut short) would be the start of
  // the next request on this connection: close it after the answer.
  if (!req.complete) res.setHeader('connection', 'close');
  sendJson(res, wire.status, wire.body, ctx);
}

/** Error name, message and stack only: no request data, headers or upstream bodies. */
function describe(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { value: String(err) };
}
