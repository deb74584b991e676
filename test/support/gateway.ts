import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
 * Without a DATABASE_URL it gets a fresh SQLite file in a temp dir (removed on close),
 * so tests never write ./data. Reach storage through the app, e.g.
 * `gw.app.get(UsageRecorder).flush()` then `gw.app.get(UsageRepository)`.
 */
export async function startGateway(env: Record<string, string>): Promise<RunningGateway> {
  const tempDir =
    env.DATABASE_URL === undefined ? mkdtempSync(join(tmpdir(), 'tollgate-test-')) : undefined;
  const config = loadConfig({
    TOLLGATE_MASTER_KEY: MASTER_KEY,
    TOLLGATE_DISCOVERY_INTERVAL_S: '0',
    ...(tempDir ? { DATABASE_URL: `sqlite:${join(tempDir, 'tollgate.db')}` } : {}),
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
    close: async () => {
      await app.close();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
