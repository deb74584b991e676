import type { Logger } from 'pino';
import { RequestContext } from '../common/context/request-context.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { upstreamError } from '../common/http/upstream-errors.js';
import type { Clock } from '../common/clock/clock.js';
import type { TollgateConfig } from '../config/config.js';
import type { ResilienceConfig } from '../config/resilience-config.js';
import type { ModelRouter, Route } from '../models/model-router.service.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import { ResilienceService } from './resilience.service.js';
import { TargetHealthRegistry } from './target-health.service.js';
import { CircuitState } from './circuit-breaker.js';

const resilience = (over: Partial<ResilienceConfig> = {}): ResilienceConfig => ({
  retries: 2,
  backoff: { baseMs: 0, maxMs: 0 },
  maxRetryAfterMs: 10_000,
  fallbacks: {},
  pools: {},
  timeouts: {},
  breaker: { window: 20, windowMs: 30_000, minFailures: 5, failureRatio: 0.5, cooldownMs: 30_000 },
  ...over,
});

/** A gateway with providers `a` and `b`; the router resolves `p/m` to adapter `p`, model `m`. */
function setup(over: Partial<ResilienceConfig> = {}) {
  const config = {
    providers: [
      { name: 'a', type: 'openai', baseUrl: 'http://a', headers: {} },
      { name: 'b', type: 'openai', baseUrl: 'http://b', headers: {} },
    ],
    aliases: {},
    resilience: resilience(over),
  } as unknown as TollgateConfig;
  const adapter = (name: string) => ({ name }) as ProviderAdapter;
  const adapters: Record<string, ProviderAdapter> = { a: adapter('a'), b: adapter('b') };
  const router = {
    resolve(model: string): Route {
      const [p, m] = model.split('/');
      return { adapter: adapters[p], model: m, via: 'prefix' };
    },
  } as unknown as ModelRouter;
  const clock: Clock & { t: number } = { t: 1_000_000, now: () => clock.t };
  const health = new TargetHealthRegistry(config, clock);
  const logger = { debug: () => undefined } as unknown as Logger;
  const service = new ResilienceService(config, router, health, logger);
  /** What each target answers, in order (an Error is thrown); the last answer repeats. */
  const script: Record<string, Array<string | Error>> = {};
  const calls: string[] = [];
  const send = async (model: string) => {
    const ctx = new RequestContext('req');
    const served = await service.run({ model, messages: [] }, ctx, {}, false, async (route) => {
      const key = `${route.adapter.name}/${route.model}`;
      calls.push(key);
      const answers = script[key] ?? ['ok'];
      const answer = answers.length > 1 ? answers.shift()! : answers[0];
      if (answer instanceof Error) throw answer;
      return `${key}:${answer}`;
    });
    return { value: served.value, ctx };
  };
  return { service, health, clock, script, calls, send };
}

const failure = (status: number, headers: Record<string, string> = {}): GatewayError =>
  upstreamError('x', status, headers, {}, []);

describe('ResilienceService', () => {
  it('does one attempt on the happy path and records the serving target', async () => {
    const s = setup();
    const { value, ctx } = await s.send('a/m');
    expect(value).toBe('a/m:ok');
    expect([ctx.attempts, ctx.provider, ctx.model]).toEqual([1, 'a', 'm']);
  });

  it('retries a retryable failure, then moves to the fallback, then fails with the last error', async () => {
    const s = setup({ fallbacks: { 'a/m': ['b/n'] } });
    s.script['a/m'] = [failure(503)];
    s.script['b/n'] = [failure(500), 'ok'];
    const { value, ctx } = await s.send('a/m');
    expect(value).toBe('b/n:ok');
    expect(s.calls).toEqual(['a/m', 'a/m', 'a/m', 'b/n', 'b/n']);
    expect([ctx.attempts, ctx.provider, ctx.model]).toEqual([5, 'b', 'n']);
  });

  it('stops at a non-retryable failure without trying a fallback', async () => {
    const s = setup({ fallbacks: { 'a/m': ['b/n'] } });
    s.script['a/m'] = [failure(422)];
    await expect(s.send('a/m')).rejects.toMatchObject({ status: 422 });
    expect(s.calls).toEqual(['a/m']);
  });

  it('moves on when the upstream asks to wait longer than 10 s', async () => {
    const s = setup({ fallbacks: { 'a/m': ['b/n'] } });
    s.script['a/m'] = [failure(429, { 'retry-after': '11' })];
    await s.send('a/m');
    expect(s.calls).toEqual(['a/m', 'b/n']);
  });

  it('opens a circuit, skips the target at once, probes after the cooldown and closes', async () => {
    const s = setup({ retries: 0, fallbacks: { 'a/m': ['b/n'] } });
    s.script['a/m'] = [failure(503)];
    for (let i = 0; i < 5; i++) await s.send('a/m');
    const breaker = s.health.get('a/m')!.breaker;
    expect(breaker.stateAt(s.clock.now())).toBe(CircuitState.Open);

    s.calls.length = 0;
    expect((await s.send('a/m')).value).toBe('b/n:ok');
    expect(s.calls).toEqual(['b/n']); // no attempt on the open target

    s.clock.t += 30_000; // cooling-off over: one probe
    expect(breaker.stateAt(s.clock.now())).toBe(CircuitState.HalfOpen);
    s.script['a/m'] = ['ok'];
    s.calls.length = 0;
    expect((await s.send('a/m')).value).toBe('a/m:ok');
    expect(s.calls).toEqual(['a/m']);
    expect(breaker.stateAt(s.clock.now())).toBe(CircuitState.Closed);
  });

  it('a failed probe reopens the circuit for another cooldown', async () => {
    const s = setup({ retries: 0 });
    s.script['a/m'] = [failure(503)];
    for (let i = 0; i < 5; i++) await s.send('a/m').catch(() => undefined);
    s.clock.t += 30_000;
    await expect(s.send('a/m')).rejects.toBeInstanceOf(GatewayError);
    expect(s.health.get('a/m')!.breaker.stateAt(s.clock.now())).toBe(CircuitState.Open);
  });

  it('when every target is open, tries the one that opened longest ago', async () => {
    const s = setup({ retries: 0, fallbacks: { 'a/m': ['b/n'] } });
    s.script['a/m'] = [failure(503)];
    s.script['b/n'] = [failure(503)];
    for (let i = 0; i < 5; i++) await s.send('b/n').catch(() => undefined); // b opens first
    s.clock.t += 1_000;
    for (let i = 0; i < 5; i++) await s.send('a/m').catch(() => undefined);
    s.script['b/n'] = ['ok'];
    s.calls.length = 0;
    const { value, ctx } = await s.send('a/m');
    expect(value).toBe('b/n:ok');
    expect(s.calls).toEqual(['b/n']);
    expect(ctx.attempts).toBe(1);
  });

  it('spreads a pool alias by weight and sends a closed target’s share elsewhere when it opens', async () => {
    const s = setup({
      retries: 0,
      pools: {
        duo: {
          strategy: 'weighted',
          targets: [
            { model: 'a/m', weight: 1 },
            { model: 'b/n', weight: 1 },
          ],
        },
      },
    });
    const served = new Set<string>();
    for (let i = 0; i < 40; i++) served.add((await s.send('duo')).value);
    expect(served).toEqual(new Set(['a/m:ok', 'b/n:ok']));

    s.script['a/m'] = [failure(503)];
    for (let i = 0; i < 40; i++) await s.send('duo');
    expect(s.health.get('a/m')!.breaker.stateAt(s.clock.now())).toBe(CircuitState.Open);
    s.calls.length = 0;
    for (let i = 0; i < 20; i++) expect((await s.send('duo')).value).toBe('b/n:ok');
    expect(s.calls.every((c) => c === 'b/n')).toBe(true);
  });
});
