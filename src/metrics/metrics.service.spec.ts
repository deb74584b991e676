import fc from 'fast-check';
import { ResponseEndHooks } from '../http/response-end-hooks.js';
import { RequestContext } from '../common/context/request-context.js';
import type { TollgateConfig } from '../config/config.js';
import type { ModelCatalog } from '../models/model-catalog.service.js';
import { MetricsService } from './metrics.service.js';

const config = { providers: [{ name: 'openai' }, { name: 'anthropic' }] } as TollgateConfig;
const catalog = {
  entry: (provider: string) =>
    provider === 'openai' ? { provider, models: new Set(['gpt-4o-mini']) } : undefined,
} as unknown as ModelCatalog;

const request = (provider: string, model: string): RequestContext => {
  const ctx = new RequestContext('r');
  ctx.provider = provider;
  ctx.model = model;
  return ctx;
};

describe('MetricsService', () => {
  it('counts requests, tokens and overhead per provider and model', async () => {
    const m = new MetricsService(new ResponseEndHooks(), config, catalog);
    for (let i = 0; i < 3; i++) {
      const ctx = request('openai', 'gpt-4o-mini');
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

  it('labels what no configuration names as other, so requests cannot add series', async () => {
    const m = new MetricsService(new ResponseEndHooks(), config, catalog);
    m.observe(request('openai', 'gpt-4o-mini'), 200);
    m.observe(request('openai', 'made-up'), 403);
    m.observe(request('anthropic', 'made-up'), 418);
    fc.assert(
      fc.property(
        fc.constantFrom('openai', 'anthropic', 'nope'),
        fc.string(),
        fc.integer({ min: 100, max: 599 }),
        fc.boolean(),
        (provider, model, status, stream) => {
          const ctx = request(provider, model);
          ctx.stream = stream;
          m.observe(ctx, status);
        },
      ),
      { numRuns: 500 },
    );
    const { body } = await m.render();
    // Every label value is from a fixed set: the series are what that set allows.
    for (const line of body.split('\n').filter((l) => l.startsWith('tollgate_requests_total{'))) {
      expect(line).toMatch(
        /^tollgate_requests_total\{provider="(openai|anthropic|other)",model="(gpt-4o-mini|other)",status="(200|400|401|403|404|408|409|413|422|429|499|500|502|503|504|other)",stream="(true|false)"\}/,
      );
    }
    expect(body).toContain('model="other",status="other"');
    expect(body).not.toContain('made-up');
  });
});
