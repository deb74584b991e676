import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyBodyParser, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import { requestContextHook } from './common/context/request-context.hook.js';
import { GatewayExceptionFilter, writeError } from './common/errors/gateway-exception.filter.js';
import { rawResponse } from './common/http/raw-response.js';
import { invalidJson } from './common/errors/to-gateway-error.js';
import { RequestValidationPipe } from './common/validation/request-validation.pipe.js';
import type { TollgateConfig } from './config/config.js';
import { MetricsService } from './metrics/metrics.service.js';
import { requestLog } from './logging/request-log.js';
import { UsageCollector } from './usage/usage-collector.service.js';
import { buildOpenApiDocument, serveOpenApi } from './openapi/openapi.js';

export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/**
 * Builds the whole application: request hooks, body parsing and limits, error envelope,
 * docs. Fastify rather than express under Nest: the HTTP layer is most of what a
 * pass-through request costs, and Fastify's is about half of express's (see
 * BENCHMARKS.md).
 */
export async function createApp(
  config: TollgateConfig,
  logger: Logger,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    routerOptions: { ignoreTrailingSlash: true },
    // A URL Fastify cannot decode is refused before any hook runs: same envelope.
    frameworkErrors: (err: Error, request: FastifyRequest, reply: FastifyReply) => {
      writeError(request.raw, rawResponse(reply), err, logger);
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, logger),
    adapter,
    // Fastify's own JSON parser (not Nest's wrapper around it); see acceptJsonBodies.
    { bodyParser: false, logger: nestLogger(logger), abortOnError: false },
  );
  const metrics = app.get(MetricsService);
  const usage = app.get(UsageCollector);
  const fastify = adapter.getInstance<FastifyInstance>();
  fastify.addHook(
    'onRequest',
    requestContextHook([
      (ctx, _req, res) => metrics.observe(ctx, ctx.status ?? res.statusCode),
      requestLog(logger),
      (ctx, _req, res, body) => {
        if (ctx.recordUsage) usage.collect(ctx, body, res);
      },
    ]),
  );
  acceptJsonBodies(fastify);
  // Errors Fastify raises before a handler runs (bad JSON, body too large) reach this
  // filter too: Nest installs it as Fastify's error handler.
  app.useGlobalFilters(new GatewayExceptionFilter(logger));
  app.useGlobalPipes(new RequestValidationPipe());
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  serveOpenApi(app, await buildOpenApiDocument(app, VERSION));
  return app;
}

/**
 * Request bodies: JSON as `application/json` or `application/*+json`, parsed by Fastify's
 * built-in parser (prototype-poisoning keys are refused). An empty body is no body (a
 * DELETE sent with a JSON content type is fine). A body of any other type is read and
 * dropped, so the route's validation answers it with the same 400 as any other body that
 * is not a JSON object.
 */
function acceptJsonBodies(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const parser: FastifyBodyParser<string> = (req, body, done) => {
    if (body.length === 0) return done(null, undefined);
    void parseJson(req, body, (err, value) => (err ? done(invalidJson()) : done(null, value)));
  };
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, parser);
  fastify.addContentTypeParser(/^application\/[^;]*\+json/, { parseAs: 'string' }, parser);
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => {
    done(null, undefined);
  });
}

/** Keep-alive above common load-balancer idle timeouts (60 s), so the LB closes first. */
export function tuneServer(app: INestApplication): void {
  const server = app.getHttpServer() as import('node:http').Server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
}

function nestLogger(logger: Logger): LoggerService {
  return {
    log: (message: unknown) => logger.debug({ nest: true }, String(message)),
    warn: (message: unknown) => logger.warn({ nest: true }, String(message)),
    error: (message: unknown, trace?: unknown) =>
      logger.error(
        { nest: true, trace: typeof trace === 'string' ? trace : undefined },
        String(message),
      ),
    debug: (message: unknown) => logger.trace({ nest: true }, String(message)),
    verbose: (message: unknown) => logger.trace({ nest: true }, String(message)),
  };
}
