import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig, type TollgateConfig } from './config/config.js';
import { createLogger } from './logging/logger.js';

async function main(): Promise<void> {
  let config: TollgateConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stderr.write(`tollgate: config: ${p}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  if (config.auth.mode === 'disabled') {
    process.stderr.write(
      '\n*** WARNING: TOLLGATE_AUTH=disabled: every endpoint, admin included, is open to anyone who can reach this port. ***\n\n',
    );
  } else if (config.auth.generated) {
    process.stderr.write(
      `tollgate: TOLLGATE_MASTER_KEY is not set; generated a master key for this run (shown once):\n  ${config.auth.masterKey}\n`,
    );
  }
  if (config.providers.length === 0) {
    logger.warn('no providers configured: set e.g. OPENAI_API_KEY, or providers in tollgate.yaml');
  }
  const app = await createApp(config, logger);
  await app.listen(config.port, config.host);
  logger.info(
    { host: config.host, port: config.port, providers: config.providers.map((p) => p.name) },
    'tollgate listening',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`tollgate: failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
