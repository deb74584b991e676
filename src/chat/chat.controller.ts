import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Auth } from '../auth/auth.decorator.js';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { Ctx, RequestContext } from '../common/context/request-context.js';
import { sendJson } from '../common/http/json-response.js';
import { relaySse } from '../common/sse/sse-relay.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.decorator.js';
import { API_TAGS } from '../openapi/api-tags.js';
import { RecordUsage } from '../usage/usage.interceptor.js';
import { ChatService } from './chat.service.js';
import { CHAT_REQUEST_EXAMPLES } from './dto/chat-examples.js';
import { ChatCompletionRequestDto } from './dto/chat-completion-request.dto.js';
import {
  ChatCompletionChunkDto,
  ChatCompletionResponseDto,
} from './dto/chat-completion-response.dto.js';

@ApiTags(API_TAGS.chat)
@Auth()
@RecordUsage()
@Controller('v1')
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    @Inject(TOLLGATE_CONFIG) private readonly config: TollgateConfig,
  ) {}

  /**
   * Creates a chat completion.
   *
   * The request goes to the provider `model` routes to (`provider/model`, a configured
   * alias, or a bare name with the `provider` hint), translated to its native API where it
   * has one. The answer is OpenAI's chat completion plus `provider` (who served it) and
   * `usage.raw_usage` (the upstream's own usage). With `stream: true` it is a
   * `text/event-stream` of `data: <chunk>` events ending with `data: [DONE]`; an error
   * after the stream started comes as one `data: {"error": …}` event. Fields this schema
   * does not list are forwarded unchanged to OpenAI-family upstreams; other 4xx statuses
   * an upstream answers with are relayed as they came.
   */
  @Post('chat/completions')
  @HttpCode(200)
  @ApiBody({ type: ChatCompletionRequestDto, examples: CHAT_REQUEST_EXAMPLES })
  @ApiExtraModels(ChatCompletionResponseDto, ChatCompletionChunkDto)
  @ApiOkResponse({
    description:
      'The chat completion; with `stream: true`, a stream of `data: <ChatCompletionChunk>` events ending with `data: [DONE]`.',
    headers: {
      'x-request-id': {
        description: "The request's id: the caller's own when it sent a usable one.",
        schema: { type: 'string' },
      },
      'x-tollgate-overhead-ms': {
        description: 'Time spent in the gateway itself, upstream waits excluded.',
        schema: { type: 'number' },
      },
    },
    content: {
      'application/json': { schema: { $ref: getSchemaPath(ChatCompletionResponseDto) } },
      'text/event-stream': { schema: { $ref: getSchemaPath(ChatCompletionChunkDto) } },
    },
  })
  @ApiErrorResponses('request', 'chat')
  async create(
    @Body() body: ChatCompletionRequestDto,
    @Ctx() ctx: RequestContext,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): Promise<void> {
    if (body.stream === true) {
      await relaySse(
        res,
        await this.chat.stream(body, ctx, req.headers),
        ctx,
        this.config.heartbeatMs,
      );
    } else {
      sendJson(res, 200, await this.chat.complete(body, ctx, req.headers), ctx);
    }
  }
}
