import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import { requestContextMiddleware } from './common/context/request-context.middleware.js';
import { GatewayExceptionFilter, writeError } from './common/errors/gateway-exception.filter.js';
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

/** Builds the whole application: middleware order, body limits, error envelope, docs. */
export async function createApp(
  config: TollgateConfig,
  logger: Logger,
): Promise<NestExpressApplication> {
  const server = express();
  server.disable('x-powered-by');
  server.set('etag', false);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, logger),
    new ExpressAdapter(server),
    { bodyParser: false, logger: nestLogger(logger), abortOnError: false },
  );
  const metrics = app.get(MetricsService);
  const usage = app.get(UsageCollector);
  app.use(
    requestContextMiddleware([
      (ctx, _req, res) => metrics.observe(ctx, ctx.status ?? res.statusCode),
      requestLog(logger),
      (ctx, req, res) => {
        if (ctx.recordUsage) usage.collect(ctx, (req as Request).body, res);
      },
    ]),
  );
  app.use(
    express.json({
      limit: config.bodyLimitBytes,
      strict: false,
      type: ['application/json', 'application/*+json'],
    }),
  );
  // Body-parser failures (bad JSON, too large) never reach Nest's filters.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    writeError(req, res, err, logger);
  });
  app.useGlobalFilters(new GatewayExceptionFilter(logger));
  app.useGlobalPipes(new RequestValidationPipe());
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  serveOpenApi(app, await buildOpenApiDocument(app, VERSION));
  return app;
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
