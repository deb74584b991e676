import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';

export const MASTER_KEY = 'tg-test-master-key-0123456789';

export interface RunningGateway {
  url: string;
  app: NestExpressApplication;
  /** Every log line the gateway wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * Boots the real application on an ephemeral port with the given environment (nothing
 * from the process environment leaks in), logging into memory so tests can inspect it.
 */
export async function startGateway(env: Record<string, string>): Promise<RunningGateway> {
  const config = loadConfig({
    TOLLGATE_MASTER_KEY: MASTER_KEY,
    TOLLGATE_DISCOVERY_INTERVAL_S: '0',
    ...env,
  });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      cb();
    },
  });
  const logger = createLogger(env.LOG_LEVEL ?? 'info', sink);
  const app = await createApp(config, logger);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    logs,
    close: () => app.close(),
  };
}
