import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { MetricsAuth } from '../auth/auth.decorator.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('metrics')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Prometheus text format. Needs the master key unless METRICS_PUBLIC=true. */
  @Get('metrics')
  @MetricsAuth()
  @ApiOkResponse({ content: { 'text/plain': { schema: { type: 'string' } } } })
  async scrape(@Res() res: ServerResponse): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    res.setHeader('content-type', contentType);
    res.end(body);
  }
}
