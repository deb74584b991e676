import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module.js';
import { ResilienceService } from './resilience.service.js';
import { TargetHealthRegistry } from './target-health.service.js';

@Module({
  imports: [ModelsModule],
  providers: [TargetHealthRegistry, ResilienceService],
  exports: [ResilienceService, TargetHealthRegistry],
})
export class ResilienceModule {}
