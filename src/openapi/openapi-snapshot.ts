import type { OpenAPIObject } from '@nestjs/swagger';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { createApp, VERSION } from '../app.factory.js';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../logging/logger.js';
import { buildOpenApiDocument } from './openapi.js';

/**
 * The OpenAPI document as committed in openapi.json: the app built with a fixed, empty
 * configuration, so the document depends on the code only.
 */
export async function openApiDocumentFor(logSink: DestinationStream): Promise<OpenAPIObject> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-openapi-'));
  const config = loadConfig({
    TOLLGATE_MASTER_KEY: 'openapi-snapshot-key-000',
    DATABASE_URL: `sqlite:${join(dir, 'openapi.db')}`,
  });
  const app = await createApp(config, createLogger('silent', logSink));
  try {
    return await buildOpenApiDocument(app, VERSION);
  } finally {
    await app.close();
  }
}
