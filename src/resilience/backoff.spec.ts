import fc from 'fast-check';
import { fullJitterDelay, retryDelay } from './backoff.js';

describe('fullJitterDelay', () => {
  it('stays within [0, min(max, base·2^n)) for any draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, base, max, r) => {
          const d = fullJitterDelay(n, base, max, () => r);
          const ceiling = Math.min(max, base * 2 ** n);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(ceiling);
          if (ceiling > 0) expect(d).toBeLessThan(ceiling);
        },
      ),
    );
  });

  it('doubles its ceiling per retry up to the cap', () => {
    const top = (n: number): number => fullJitterDelay(n, 250, 5_000, () => 0.999999);
    expect([0, 1, 2, 3, 4, 5].map(top)).toEqual([249, 499, 999, 1999, 3999, 4999]);
  });
});

describe('retryDelay', () => {
  const backoff = { baseMs: 250, maxMs: 5_000 };
  it('waits what the upstream asked for, up to the limit', () => {
    expect(retryDelay(3_000, 0, backoff, 10_000, () => 0.5)).toBe(3_000);
    expect(retryDelay(10_000, 0, backoff, 10_000, () => 0.5)).toBe(10_000);
  });
  it('gives up on the target when asked to wait longer', () => {
    expect(retryDelay(10_001, 0, backoff, 10_000, () => 0.5)).toBeUndefined();
  });
  it('backs off with jitter when the upstream said nothing', () => {
    expect(retryDelay(undefined, 1, backoff, 10_000, () => 0.5)).toBe(250);
  });
});
