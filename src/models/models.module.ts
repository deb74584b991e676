import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module.js';
import { ModelCatalog } from './model-catalog.service.js';
import { ModelRouter } from './model-router.service.js';
import { ModelsController } from './models.controller.js';
import { ModelsService } from './models.service.js';

@Module({
  imports: [ProvidersModule],
  controllers: [ModelsController],
  providers: [ModelCatalog, ModelRouter, ModelsService],
  exports: [ModelCatalog, ModelRouter],
})
export class ModelsModule {}
