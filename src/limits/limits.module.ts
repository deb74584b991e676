import { Module } from '@nestjs/common';
import { UsageModule } from '../usage/usage.module.js';
import { LimitsService } from './limits.service.js';

/** Rate limits, concurrency and budget reservations (Redis or in-process). */
@Module({
  imports: [UsageModule],
  providers: [LimitsService],
  exports: [LimitsService],
})
export class LimitsModule {}
