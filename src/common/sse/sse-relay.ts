import type { ServerResponse } from 'node:http';
import type { RequestContext } from '../context/request-context.js';
import { toWireError } from '../errors/error-envelope.js';
import { ErrorCode, GatewayError } from '../errors/gateway-error.js';
import { toGatewayError } from '../errors/to-gateway-error.js';
import { isClientAbort } from '../http/upstream-http.service.js';
import { SseWriter } from './sse-writer.js';

/**
 * Sends already-accepted stream frames to the client. A failure after the headers went
 * out becomes one error event; a client that went away just ends the relay, which
 * (through the request's abort signal and the iterator's return) cancels the upstream.
 */
export async function relaySse(
  res: ServerResponse,
  frames: AsyncIterable<string>,
  ctx: RequestContext,
  heartbeatMs: number,
): Promise<void> {
  const writer = new SseWriter(res, heartbeatMs);
  writer.open({ 'x-tollgate-overhead-ms': ctx.overheadMs().toFixed(3) }, ctx.limitHeaders);
  ctx.status = 200;
  try {
    for await (const frame of frames) {
      if (ctx.clientGone || ctx.cut) break;
      await writer.data(frame);
    }
    if (ctx.cut) throw cutByShutdown();
    if (ctx.clientGone) {
      writer.abort();
      return;
    }
    writer.done();
  } catch (err) {
    if (!ctx.cut && (ctx.clientGone || isClientAbort(err))) {
      writer.abort();
      return;
    }
    ctx.partial = true;
    const failure = ctx.cut ? cutByShutdown() : toGatewayError(err);
    const wire = toWireError(failure);
    ctx.sentError(wire.body.error, { code: failure.code, status: wire.status });
    writer.error(wire.body);
  }
}

function cutByShutdown(): GatewayError {
  return new GatewayError(
    ErrorCode.ServiceUnavailable,
    'The gateway is shutting down and ended this stream at its drain deadline.',
    { wireCode: 'service_unavailable' },
  );
}
