import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { TollgateConfig } from './config/config.js';
import { GatewayExpressAdapter } from './http/express-platform.js';
import { buildOpenApiDocument, serveOpenApi } from './openapi/openapi.js';

export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/**
 * Creates the application on Nest's express platform. Everything else (auth guard,
 * error filter, validation pipe, body reading, usage interceptor, end-of-response hooks)
 * is registered by the modules that own it.
 */
export async function createApp(
  config: TollgateConfig,
  logger: Logger,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, logger),
    new GatewayExpressAdapter(config),
    { bodyParser: false, logger: nestLogger(logger), abortOnError: false },
  );
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  serveOpenApi(app, await buildOpenApiDocument(app, VERSION));
  return app;
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
