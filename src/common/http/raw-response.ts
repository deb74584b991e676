import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';

/**
 * Takes the response over from Fastify and returns Node's own. The gateway writes its
 * JSON bodies and SSE streams itself (exact bytes, backpressure, the overhead header set
 * at the last moment), so Fastify must not also try to send a reply.
 */
export function rawResponse(reply: FastifyReply): ServerResponse {
  reply.hijack();
  return reply.raw;
}
