import { Module } from '@nestjs/common';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { AdminUsageController } from './admin-usage.controller.js';
import { Pricing } from './pricing.js';
import { UsageCollector } from './usage-collector.service.js';
import {
  USAGE_RECORDER_OPTIONS,
  UsageRecorder,
  type UsageRecorderOptions,
} from './usage-recorder.service.js';
import { UsageRetention } from './usage-retention.service.js';
import { UsageRepository } from './usage.repository.js';
import { UsageInterceptor } from './usage.interceptor.js';
import { UsageService } from './usage.service.js';

/** Usage accounting: the interceptor that starts it, the end-of-response collector, pricing, the batched recorder, admin reads. */
@Module({
  controllers: [AdminUsageController],
  providers: [
    {
      provide: USAGE_RECORDER_OPTIONS,
      inject: [TOLLGATE_CONFIG],
      useFactory: (config: TollgateConfig): UsageRecorderOptions => ({
        spoolPath: config.usage.spoolPath,
        databaseId: config.usage.databaseId,
        stuckAfterMs: config.usage.stuckAfterMs,
        flushIntervalMs: config.usage.flushIntervalMs,
        batchSize: config.usage.batchSize,
        bufferSize: config.usage.bufferSize,
      }),
    },
    {
      provide: Pricing,
      inject: [TOLLGATE_CONFIG],
      useFactory: (config: TollgateConfig) => new Pricing(config.providers, config.usage.pricing),
    },
    UsageRepository,
    UsageRecorder,
    UsageCollector,
    UsageService,
    UsageRetention,
    UsageInterceptor,
  ],
  exports: [UsageRecorder, UsageCollector, UsageRepository, Pricing],
})
export class UsageModule {}
