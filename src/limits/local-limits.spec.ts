import fc from 'fast-check';
import type { LimitScope } from '../common/context/request-context.js';
import type { AdmitInput } from './limits-backend.js';
import { LocalLimits } from './local-limits.js';

const scope = (o: Partial<LimitScope> = {}): LimitScope => ({
  kind: 'key',
  id: 'key_1',
  rpm: null,
  tpm: null,
  maxParallel: null,
  budgetNanos: null,
  budgetPeriod: null,
  ...o,
});

const T0 = Date.parse('2026-03-09T10:00:00Z');

function setup(spentBefore = 0n) {
  const clock = { t: T0, now: () => clock.t };
  const seeds: number[] = [];
  const limits = new LocalLimits(clock, async (_s, from) => {
    seeds.push(from);
    return spentBefore;
  });
  let n = 0;
  const input = (scopes: LimitScope[], reserveNanos = 0n): AdmitInput => ({
    requestId: `req_${n++}`,
    scopes,
    reserveNanos,
    at: clock.t,
  });
  return { clock, limits, input, seeds };
}

describe('LocalLimits', () => {
  it('admits rpm requests per UTC minute, then refuses until the next minute', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 40 }),
        async (rpm, extra) => {
          const { clock, limits, input } = setup();
          const s = [scope({ rpm })];
          const results = [];
          for (let i = 0; i < rpm + extra; i++) results.push(await limits.admit(input(s)));
          expect(results.filter((r) => r.ok)).toHaveLength(rpm);
          const refused = results.find((r) => !r.ok);
          if (refused) {
            expect(refused).toMatchObject({ refusal: 'rpm', resetMs: 60_000 });
            expect(refused.counts[0].requests).toBe(rpm);
          }
          clock.t += 60_000;
          expect((await limits.admit(input(s))).ok).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses tpm while the minute has reached it, counting tokens as they are settled', async () => {
    const { clock, limits, input } = setup();
    const s = [scope({ tpm: 100 })];
    const a = input(s);
    expect((await limits.admit(a)).ok).toBe(true);
    await limits.settle(a, 0n, 99);
    const b = input(s);
    expect((await limits.admit(b)).ok).toBe(true); // 99 < 100
    await limits.settle(b, 0n, 50);
    expect(await limits.admit(input(s))).toMatchObject({ ok: false, refusal: 'tpm' });
    clock.t += 60_000;
    expect((await limits.admit(input(s))).ok).toBe(true);
  });

  it('holds max_parallel slots until released', async () => {
    const { limits, input } = setup();
    const s = [scope({ maxParallel: 2 })];
    const a = input(s);
    const b = input(s);
    expect((await limits.admit(a)).ok).toBe(true);
    expect((await limits.admit(b)).ok).toBe(true);
    expect(await limits.admit(input(s))).toMatchObject({ ok: false, refusal: 'parallel' });
    await limits.release(a.requestId, s);
    await limits.release(a.requestId, s); // idempotent
    expect((await limits.admit(input(s))).ok).toBe(true);
    expect((await limits.admit(input(s))).ok).toBe(false);
  });

  it('a request must fit every scope, and a refusal takes nothing from any', async () => {
    const { limits, input } = setup();
    const key = scope({ rpm: 10 });
    const team = scope({ kind: 'team', id: 'team_1', rpm: 1 });
    expect((await limits.admit(input([key, team]))).ok).toBe(true);
    expect(await limits.admit(input([key, team]))).toMatchObject({ ok: false, scope: team });
    // The refused request did not count against the key.
    const r = await limits.admit(input([key]));
    expect(r.ok && r.counts[0].requests).toBe(2);
  });

  it('never lets reservations and spend exceed the budget, whatever the order of events', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: 10_000n }),
        fc.array(
          fc.record({
            reserve: fc.bigInt({ min: 1n, max: 3_000n }),
            // The real cost never exceeds the reservation here (no estimation error).
            share: fc.integer({ min: 0, max: 100 }),
            settleNow: fc.boolean(),
          }),
          { maxLength: 30 },
        ),
        fc.bigInt({ min: 0n, max: 5_000n }),
        async (budget, requests, spentBefore) => {
          const { limits, input } = setup(spentBefore);
          const s = [scope({ budgetNanos: budget, budgetPeriod: 'monthly' })];
          let spent = spentBefore;
          let reserved = 0n;
          const open: Array<{ input: AdmitInput; cost: bigint }> = [];
          for (const r of requests) {
            const req = input(s, r.reserve);
            const result = await limits.admit(req);
            if (result.ok) {
              reserved += r.reserve;
              open.push({ input: req, cost: (r.reserve * BigInt(r.share)) / 100n });
            }
            expect(spent + reserved).toBeLessThanOrEqual(budget > spentBefore ? budget : spent);
            if (r.settleNow && open.length > 0) {
              const done = open.shift()!;
              await limits.settle(done.input, done.cost, 0);
              reserved -= done.input.reserveNanos;
              spent += done.cost;
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('seeds each budget period once from recorded spend, and starts again next period', async () => {
    const { clock, limits, input, seeds } = setup(900n);
    const s = [scope({ budgetNanos: 1_000n, budgetPeriod: 'daily' })];
    expect((await limits.admit(input(s, 100n))).ok).toBe(true);
    expect(await limits.admit(input(s, 1n))).toMatchObject({ ok: false, refusal: 'budget' });
    expect(seeds).toEqual([Date.parse('2026-03-09T00:00:00Z')]);
    clock.t = Date.parse('2026-03-10T00:00:00Z');
    expect((await limits.admit(input(s, 100n))).ok).toBe(true);
    expect(seeds).toEqual([Date.parse('2026-03-09T00:00:00Z'), Date.parse('2026-03-10T00:00:00Z')]);
  });
});
