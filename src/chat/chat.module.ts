import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module.js';
import { ResilienceModule } from '../resilience/resilience.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { ChatController } from './chat.controller.js';
import { ChatService } from './chat.service.js';

@Module({
  imports: [ModelsModule, ResilienceModule, UsageModule],
  controllers: [ChatController],
  providers: [ChatService],
})
export class ChatModule {}
