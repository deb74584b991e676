import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiExtraModels,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Auth } from '../auth/auth.decorator.js';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { Ctx, RequestContext } from '../common/context/request-context.js';
import { ErrorResponseDto } from '../common/dto/error-response.dto.js';
import { sendJson } from '../common/http/json-response.js';
import { relaySse } from '../common/sse/sse-relay.js';
import { RecordUsage } from '../usage/usage.interceptor.js';
import { ChatService } from './chat.service.js';
import { ChatCompletionRequestDto } from './dto/chat-completion-request.dto.js';
import {
  ChatCompletionChunkDto,
  ChatCompletionResponseDto,
} from './dto/chat-completion-response.dto.js';

@ApiTags('chat')
@Auth()
@RecordUsage()
@Controller('v1')
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    @Inject(TOLLGATE_CONFIG) private readonly config: TollgateConfig,
  ) {}

  /**
   * Creates a chat completion on the provider the model routes to. With `stream: true`
   * the answer is a `text/event-stream` of chunks ending with `data: [DONE]`.
   */
  @Post('chat/completions')
  @HttpCode(200)
  @ApiBody({ type: ChatCompletionRequestDto })
  @ApiExtraModels(ChatCompletionChunkDto)
  @ApiOkResponse({
    description: 'A chat completion, or with `stream: true` an event stream of chunks.',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(ChatCompletionResponseDto) } },
      'text/event-stream': {
        schema: {
          type: 'string',
          description: `data: <${getSchemaPath(ChatCompletionChunkDto)}> events, then data: [DONE]`,
        },
      },
    },
  })
  @ApiExtraModels(ChatCompletionResponseDto)
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto })
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
