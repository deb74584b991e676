import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { MetricsAuth } from '../auth/auth.decorator.js';
import { API_TAGS } from '../openapi/api-tags.js';
import { MetricsService } from './metrics.service.js';

@ApiTags(API_TAGS.ops)
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /**
   * Prometheus metrics.
   *
   * In the Prometheus text format: requests by route and status, upstream latency and
   * time to first token, tokens and cost by provider and model, cost by key and team,
   * process metrics. Needs the master key unless `METRICS_PUBLIC=true`.
   */
  @Get('metrics')
  @MetricsAuth()
  @ApiOkResponse({
    description: 'The metrics, in the Prometheus text exposition format.',
    content: {
      'text/plain': {
        schema: { type: 'string' },
        example:
          '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 0.42\n',
      },
    },
  })
  async scrape(@Res() res: ServerResponse): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    res.setHeader('content-type', contentType);
    res.end(body);
  }
}
