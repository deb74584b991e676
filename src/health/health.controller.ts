import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { Public } from '../auth/auth.decorator.js';
import { sendJson } from '../common/http/json-response.js';
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
@Public()
@Controller()
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  /** Liveness: the process is up. */
  @Get('health')
  @ApiOkResponse({ type: HealthDto })
  health(): HealthDto {
    return { status: 'ok' };
  }

  /** Readiness: configuration loaded and storage reachable (503 from shutdown on). */
  @Get('ready')
  @ApiOkResponse({ type: ReadyDto })
  @ApiServiceUnavailableResponse({ type: ReadyDto })
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
