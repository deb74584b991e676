import { Module, type OnModuleInit } from '@nestjs/common';
import { validatorOf } from '../common/validation/validated-by.decorator.js';
import { LimitsModule } from '../limits/limits.module.js';
import { ModelsModule } from '../models/models.module.js';
import { ResilienceModule } from '../resilience/resilience.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { ChatController } from './chat.controller.js';
import { ChatService } from './chat.service.js';
import { ChatCompletionRequestDto } from './dto/chat-completion-request.dto.js';

@Module({
  imports: [ModelsModule, ResilienceModule, UsageModule, LimitsModule],
  controllers: [ChatController],
  providers: [ChatService],
})
export class ChatModule implements OnModuleInit {
  /** Builds the request validator at start, so the first request does not pay for it. */
  async onModuleInit(): Promise<void> {
    await validatorOf(ChatCompletionRequestDto);
  }
}
