import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from './logger.js';
import { RequestLog } from './request-log.js';

export { LOGGER };

@Global()
@Module({})
export class LoggingModule implements OnApplicationShutdown {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  static forRoot(logger: Logger): DynamicModule {
    return {
      module: LoggingModule,
      providers: [{ provide: LOGGER, useValue: logger }, RequestLog],
      exports: [LOGGER],
    };
  }

  /** Logs are written asynchronously in batches: write out what is buffered before exit. */
  onApplicationShutdown(): void {
    this.logger.flush();
  }
}
