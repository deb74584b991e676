import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { sendJson } from '../common/http/json-response.js';
import { rawResponse } from '../common/http/raw-response.js';
import { Readiness } from './readiness.service.js';

export class HealthDto {
  status!: string;
}

export class ReadyDto {
  status!: string;
  /** Each dependency and whether it answered. */
  checks!: Record<string, boolean>;
}

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  /** Liveness: the process is up. */
  @Get('health')
  @ApiOkResponse({ type: HealthDto })
  health(): HealthDto {
    return { status: 'ok' };
  }

  /** Readiness: configuration loaded and storage reachable. */
  @Get('ready')
  @ApiOkResponse({ type: ReadyDto })
  @ApiServiceUnavailableResponse({ type: ReadyDto })
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const { ready, checks, details } = await this.readiness.status();
    sendJson(
      rawResponse(reply),
      ready ? 200 : 503,
      { status: ready ? 'ready' : 'unavailable', checks, ...details },
      undefined,
    );
  }
}
