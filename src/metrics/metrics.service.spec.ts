import { ResponseEndHooks } from '../http/response-end-hooks.js';
import { RequestContext } from '../common/context/request-context.js';
import { MetricsService } from './metrics.service.js';

describe('MetricsService', () => {
  it('counts requests, tokens and overhead per provider and model', async () => {
    const m = new MetricsService(new ResponseEndHooks());
    for (let i = 0; i < 3; i++) {
      const ctx = new RequestContext(`r${i}`);
      ctx.provider = 'openai';
      ctx.model = 'gpt-4o-mini';
      ctx.usage = { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 };
      m.observe(ctx, 200);
    }
    const unrouted = new RequestContext('r-bad');
    m.observe(unrouted, 400);
    const { body } = await m.render();
    expect(body).toContain(
      'tollgate_requests_total{provider="openai",model="gpt-4o-mini",status="200",stream="false"} 3',
    );
    expect(body).toContain(
      'tollgate_tokens_total{provider="openai",model="gpt-4o-mini",kind="prompt"} 30',
    );
    expect(body).toContain(
      'tollgate_tokens_total{provider="openai",model="gpt-4o-mini",kind="completion"} 12',
    );
    expect(body).toContain('tollgate_overhead_seconds_count{provider="openai"} 3');
    expect(body).not.toContain('status="400"');
  });
});
