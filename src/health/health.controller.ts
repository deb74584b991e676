import { Controller, Get, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { Public } from '../auth/auth.decorator.js';
import { ErrorResponseDto } from '../common/dto/error-response.dto.js';
import { sendJson } from '../common/http/json-response.js';
import { API_TAGS } from '../openapi/api-tags.js';
import { HealthDto, ReadyDto } from './dto/health.dto.js';
import { Readiness } from './readiness.service.js';

@ApiTags(API_TAGS.ops)
@Public()
@Controller()
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  /**
   * Liveness.
   *
   * The process is up: 200 as long as it runs, shutdown included. No credentials.
   */
  @Get('health')
  @ApiOkResponse({ type: HealthDto })
  health(): HealthDto {
    return { status: 'ok' };
  }

  /**
   * Readiness.
   *
   * 200 when the configuration is loaded and storage answers; 503 when a check fails, and
   * from the start of a shutdown on (then in the error envelope, code
   * `service_unavailable`), so load balancers stop sending traffic. No credentials.
   */
  @Get('ready')
  @ApiExtraModels(ErrorResponseDto)
  @ApiOkResponse({ type: ReadyDto })
  @ApiResponse({
    status: 503,
    description: 'A check failed (the readiness body says which), or the gateway is shutting down.',
    content: {
      'application/json': {
        schema: {
          oneOf: [{ $ref: getSchemaPath(ReadyDto) }, { $ref: getSchemaPath(ErrorResponseDto) }],
        },
      },
    },
  })
  async ready(@Res() res: ServerResponse): Promise<void> {
    const { ready, checks, details } = await this.readiness.status();
    sendJson(
      res,
      ready ? 200 : 503,
      { status: ready ? 'ready' : 'unavailable', checks, ...details },
      undefined,
    );
  }
}
