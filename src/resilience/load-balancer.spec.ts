import fc from 'fast-check';
import type { AliasPool } from '../config/resilience-config.js';
import { orderPool } from './load-balancer.js';

const pool = (weights: number[], strategy: AliasPool['strategy'] = 'weighted'): AliasPool => ({
  strategy,
  targets: weights.map((weight, i) => ({ model: `p/m${i}`, weight })),
});
const all = { usable: () => true, inflight: () => 0 };

describe('orderPool', () => {
  it('is always a permutation of the targets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        fc.constantFrom<AliasPool['strategy']>('weighted', 'least-inflight'),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (weights, usable, strategy, r) => {
          const order = orderPool(
            pool(weights, strategy),
            { usable: (i) => usable[i], inflight: (i) => i % 3 },
            () => r,
          );
          expect([...order].sort()).toEqual(weights.map((_, i) => i));
          // A usable target is picked first whenever there is one.
          if (usable.slice(0, weights.length).some(Boolean)) expect(usable[order[0]]).toBe(true);
        },
      ),
    );
  });

  it('picks by weight: 3:1 splits the draws 75/25', () => {
    const p = pool([3, 1]);
    expect(orderPool(p, all, () => 0.74)).toEqual([0, 1]);
    expect(orderPool(p, all, () => 0.75)).toEqual([1, 0]);
  });

  it('skips an open target even when the draw lands on it', () => {
    expect(orderPool(pool([3, 1]), { ...all, usable: (i) => i === 1 }, () => 0)).toEqual([1, 0]);
  });

  it('least-inflight picks the least busy target', () => {
    const busy = [4, 1, 2];
    expect(
      orderPool(pool([5, 1, 1], 'least-inflight'), { ...all, inflight: (i) => busy[i] })[0],
    ).toBe(1);
  });
});
