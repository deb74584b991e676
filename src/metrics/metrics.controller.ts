import {
  Controller,
  Get,
  Inject,
  Res,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { rawResponse } from '../common/http/raw-response.js';
import { BearerAuthGuard } from '../auth/bearer-auth.guard.js';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { MetricsService } from './metrics.service.js';

/** Bearer auth on /metrics unless METRICS_PUBLIC=true. */
@Injectable()
export class MetricsAuthGuard implements CanActivate {
  constructor(
    @Inject(TOLLGATE_CONFIG) private readonly config: TollgateConfig,
    private readonly bearer: BearerAuthGuard,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    return this.config.metricsPublic || this.bearer.canActivate(context);
  }
}

@ApiTags('metrics')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Prometheus text format. Needs the bearer token unless METRICS_PUBLIC=true. */
  @Get('metrics')
  @UseGuards(MetricsAuthGuard)
  @ApiBearerAuth()
  @ApiOkResponse({ content: { 'text/plain': { schema: { type: 'string' } } } })
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    const res = rawResponse(reply);
    res.setHeader('content-type', contentType);
    res.end(body);
  }
}
