import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuthModule } from './auth/auth.module.js';
import { ChatModule } from './chat/chat.module.js';
import type { TollgateConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { HealthModule } from './health/health.module.js';
import { HttpModule } from './http/http.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ModelsModule } from './models/models.module.js';
import { RedisModule } from './redis/redis.module.js';
import { StorageModule } from './storage/storage.module.js';
import { TelemetryModule } from './telemetry/telemetry.module.js';
import { UsageModule } from './usage/usage.module.js';

@Module({})
export class AppModule {
  static forRoot(config: TollgateConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        HttpModule,
        TelemetryModule,
        HealthModule,
        StorageModule.forRoot(),
        ...(config.redisUrl ? [RedisModule.forRoot(config.redisUrl)] : []),
        MetricsModule,
        ChatModule,
        ModelsModule,
        AuthModule,
        UsageModule,
      ],
    };
  }
}
