import {
  Controller,
  Get,
  Inject,
  Res,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { rawResponse } from '../common/http/raw-response.js';
import { ADMIN_ONLY, BearerAuthGuard } from '../auth/bearer-auth.guard.js';
import { ErrorResponseDto } from '../common/dto/error-response.dto.js';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { MetricsService } from './metrics.service.js';

/**
 * The master key on /metrics (every tenant's models and token counts are in it) unless
 * METRICS_PUBLIC=true; managed keys get 403.
 */
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

  /** Prometheus text format. Needs the master key unless METRICS_PUBLIC=true. */
  @Get('metrics')
  @SetMetadata(ADMIN_ONLY, true)
  @UseGuards(MetricsAuthGuard)
  @ApiBearerAuth()
  @ApiUnauthorizedResponse({
    description: 'Missing or invalid bearer token',
    type: ErrorResponseDto,
  })
  @ApiForbiddenResponse({ description: 'Requires the master key', type: ErrorResponseDto })
  @ApiOkResponse({ content: { 'text/plain': { schema: { type: 'string' } } } })
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    const res = rawResponse(reply);
    res.setHeader('content-type', contentType);
    res.end(body);
  }
}
