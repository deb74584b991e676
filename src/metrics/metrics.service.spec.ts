import fc from 'fast-check';
import type { IncomingMessage } from 'node:http';
import { ResponseEndHooks } from '../http/response-end-hooks.js';
import type { InflightRequests } from '../http/inflight.service.js';
import { RequestContext } from '../common/context/request-context.js';
import { ErrorCode } from '../common/errors/gateway-error.js';
import type { TollgateConfig } from '../config/config.js';
import type { ModelCatalog } from '../models/model-catalog.service.js';
import { MAX_COST_OWNERS, MetricsService, upstreamErrorClass } from './metrics.service.js';

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
      'tollgate_requests_total{route="other",provider="openai",model="gpt-4o-mini",status="200",stream="false"} 3',
    );
    expect(body).toContain(
      'tollgate_tokens_total{provider="openai",model="gpt-4o-mini",kind="prompt"} 30',
    );
    expect(body).toContain(
      'tollgate_tokens_total{provider="openai",model="gpt-4o-mini",kind="completion"} 12',
    );
    expect(body).toContain('tollgate_overhead_seconds_count{provider="openai"} 3');
    // A request the gateway refused itself is counted too, with provider and model `none`.
    expect(body).toContain(
      'tollgate_requests_total{route="other",provider="none",model="none",status="400",stream="false"} 1',
    );
  });

  it('labels a request with the route pattern that matched it, never its path', async () => {
    const m = new MetricsService(new ResponseEndHooks(), config, catalog);
    const req = (route?: string) =>
      ({
        url: '/v1/models/some-model',
        route: route && { path: route },
      }) as unknown as IncomingMessage;
    m.observe(new RequestContext('a'), 200, req('/v1/models/*id'));
    m.observe(new RequestContext('b'), 404, req('/*path'));
    m.observe(new RequestContext('c'), 404, req());
    const { body } = await m.render();
    expect(body).toContain('tollgate_requests_total{route="/v1/models/*id",provider="none"');
    expect(body).toContain(
      'tollgate_requests_total{route="other",provider="none",model="none",status="404",stream="false"} 2',
    );
    expect(body).not.toContain('some-model');
  });

  it('exports the standard process metrics and the requests in flight', async () => {
    const inflight = { size: 7 } as InflightRequests;
    const m = new MetricsService(new ResponseEndHooks(), config, catalog, inflight);
    const { body } = await m.render();
    expect(body).toMatch(/^process_cpu_seconds_total \d/m);
    expect(body).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(body).not.toContain('tollgate_process_');
    expect(body).toContain('tollgate_inflight_requests 7');
  });

  it('records GenAI token usage and duration histograms for routed requests', async () => {
    const m = new MetricsService(new ResponseEndHooks(), config, catalog);
    const ctx = request('openai', 'gpt-4o-mini');
    ctx.usage = { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 };
    m.observe(ctx, 200);
    m.observe(request('anthropic', 'made-up'), 200);
    m.observe(new RequestContext('refused'), 401);
    const { body } = await m.render();
    const labels =
      'gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini"';
    expect(body).toContain(
      `gen_ai_client_token_usage_sum{${labels},gen_ai_token_type="input"} 100`,
    );
    expect(body).toContain(
      `gen_ai_client_token_usage_sum{${labels},gen_ai_token_type="output"} 20`,
    );
    expect(body).toContain(`gen_ai_server_request_duration_count{${labels}} 1`);
    expect(body).toContain(
      'gen_ai_server_request_duration_count{gen_ai_operation_name="chat",gen_ai_provider_name="anthropic",gen_ai_request_model="other"} 1',
    );
    expect(body).not.toMatch(/gen_ai_provider_name="none"/);
  });

  it('records time to first token for streams, in GenAI and gateway histograms', async () => {
    const m = new MetricsService(new ResponseEndHooks(), config, catalog);
    const ctx = request('openai', 'gpt-4o-mini');
    ctx.stream = true;
    ctx.ttftMs = 30;
    m.observe(ctx, 200);
    m.observe(request('openai', 'gpt-4o-mini'), 200); // not streamed: no first token time
    const { body } = await m.render();
    const labels =
      'gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini"';
    expect(body).toContain(`gen_ai_server_time_to_first_token_count{${labels}} 1`);
    expect(body).toContain(`gen_ai_server_time_to_first_token_sum{${labels}} 0.03`);
    expect(body).toContain(`gen_ai_server_time_to_first_token_bucket{le="0.04",${labels}} 1`);
    expect(body).toContain(`gen_ai_server_time_to_first_token_bucket{le="0.02",${labels}} 0`);
    expect(body).toContain('tollgate_time_to_first_token_seconds_count{provider="openai"} 1');
  });

  const costed = (
    provider: string | null,
    model: string | null,
    costNanos: bigint | null,
    keyId: string | null = null,
    teamId: string | null = null,
  ) => ({ provider, model, costNanos, keyId, teamId });

  it('adds usage cost in USD by bounded provider and model', async () => {
    const m = new MetricsService(new ResponseEndHooks(), config, catalog);
    m.addCost(costed('openai', 'gpt-4o-mini', 1_500_000_000n));
    m.addCost(costed('openai', 'gpt-4o-mini', 250_000_000n));
    m.addCost(costed('openai', 'made-up', 1_000n));
    m.addCost(costed('openai', 'gpt-4o-mini', null));
    m.addCost(costed(null, null, 5n));
    const { body } = await m.render();
    expect(body).toContain('tollgate_cost_usd_total{provider="openai",model="gpt-4o-mini"} 1.75');
    expect(body).toContain('tollgate_cost_usd_total{provider="openai",model="other"} 0.000001');
    expect(body).not.toContain('made-up');
  });

  it('adds usage cost by key and team: master, team-less keys, and at most MAX_COST_OWNERS of each', async () => {
    const m = new MetricsService(new ResponseEndHooks(), config, catalog);
    m.addCost(costed('openai', 'gpt-4o-mini', 2_000_000_000n));
    m.addCost(costed('openai', 'gpt-4o-mini', 1_000_000_000n, 'key_a', 'team_x'));
    m.addCost(costed('openai', 'gpt-4o-mini', 500_000_000n, 'key_a', 'team_x'));
    m.addCost(costed('openai', 'gpt-4o-mini', 250_000_000n, 'key_b', null));
    m.addCost(costed('openai', 'gpt-4o-mini', null, 'key_unpriced', null));
    for (let i = 0; i < MAX_COST_OWNERS + 5; i++) {
      m.addCost(costed('openai', 'gpt-4o-mini', 1_000n, `key_many_${i}`, `team_many_${i}`));
    }
    const { body } = await m.render();
    const series = (labels: string) => {
      const line = body
        .split('\n')
        .find((l) => l.startsWith(`tollgate_key_cost_usd_total{${labels}} `));
      return line === undefined ? undefined : Number(line.split(' ')[1]);
    };
    expect(series('key_id="master",team_id="none"')).toBe(2);
    expect(series('key_id="key_a",team_id="team_x"')).toBe(1.5);
    expect(series('key_id="key_b",team_id="none"')).toBe(0.25);
    expect(body).not.toContain('key_unpriced');
    // key_a, key_b and 998 of the many keys get series; the 7 beyond count as "other", and
    // so do the 6 teams beyond team_x and 999 of the many teams.
    const keys = new Set(
      [...body.matchAll(/^tollgate_key_cost_usd_total\{key_id="([^"]+)"/gm)].map((x) => x[1]),
    );
    expect(keys.size).toBe(MAX_COST_OWNERS + 2); // + master + other
    expect(keys.has('other')).toBe(true);
    expect(series('key_id="other",team_id="team_many_998"')).toBeCloseTo(1e-6, 12);
    expect(series('key_id="other",team_id="other"')).toBeCloseTo(6e-6, 12);
  });

  it('counts upstream failures by provider and a fixed class, and nothing else', async () => {
    const m = new MetricsService(new ResponseEndHooks(), config, catalog);
    const codes = Object.values(ErrorCode);
    fc.assert(
      fc.property(
        fc.constantFrom(...codes),
        fc.integer({ min: 400, max: 599 }),
        fc.constantFrom('openai', 'anthropic', 'nope'),
        (code, status, provider) => {
          const ctx = request(provider, 'gpt-4o-mini');
          ctx.failure = { code, status };
          m.observe(ctx, status);
          const cls = upstreamErrorClass(code, status);
          const upstream = code.startsWith('upstream_');
          expect(cls !== undefined).toBe(upstream);
          if (code === ErrorCode.Upstream) expect(cls).toBe(status < 500 ? '4xx' : '5xx');
        },
      ),
      { numRuns: 300 },
    );
    const { body } = await m.render();
    const lines = body.split('\n').filter((l) => l.startsWith('tollgate_upstream_errors_total{'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatch(
        /^tollgate_upstream_errors_total\{provider="(openai|anthropic|other)",class="(timeout|unreachable|4xx|5xx|invalid_response)"\} \d+$/,
      );
    }
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
        /^tollgate_requests_total\{route="other",provider="(openai|anthropic|other)",model="(gpt-4o-mini|other)",status="(200|400|401|403|404|408|409|413|422|429|499|500|502|503|504|other)",stream="(true|false)"\}/,
      );
    }
    expect(body).toContain('model="other",status="other"');
    expect(body).not.toContain('made-up');
  });
});
