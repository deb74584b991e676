import type { AliasPool } from '../config/resilience-config.js';

/** What the balancer needs to know of each pool target, by index. */
export interface PoolView {
  /** False when the target's circuit is open (it would be skipped anyway). */
  usable(i: number): boolean;
  /** Attempts in flight on the target (for `least-inflight`). */
  inflight(i: number): number;
}

/**
 * The order in which a pool alias's targets are tried: first the one picked (by weight at
 * random, or the least busy, among the usable ones; among all when none is usable), then
 * the others by descending weight as fallbacks.
 */
export function orderPool(
  pool: AliasPool,
  view: PoolView,
  random: () => number = Math.random,
): number[] {
  const n = pool.targets.length;
  const first = pick(pool, view, random, true) ?? pick(pool, view, random, false) ?? 0;
  const rest: number[] = [];
  for (let i = 0; i < n; i++) if (i !== first) rest.push(i);
  rest.sort((a, b) => pool.targets[b].weight - pool.targets[a].weight);
  rest.unshift(first);
  return rest;
}

function pick(
  pool: AliasPool,
  view: PoolView,
  random: () => number,
  usableOnly: boolean,
): number | undefined {
  const t = pool.targets;
  let least = Infinity;
  if (pool.strategy === 'least-inflight') {
    for (let i = 0; i < t.length; i++) {
      if (usableOnly && !view.usable(i)) continue;
      least = Math.min(least, view.inflight(i));
    }
  }
  // Weighted draw among the candidates (for least-inflight: those tied for least busy).
  const candidate = (i: number): boolean =>
    (!usableOnly || view.usable(i)) &&
    (pool.strategy !== 'least-inflight' || view.inflight(i) === least);
  let total = 0;
  for (let i = 0; i < t.length; i++) if (candidate(i)) total += t[i].weight;
  if (total === 0) return undefined;
  let r = random() * total;
  let last: number | undefined;
  for (let i = 0; i < t.length; i++) {
    if (!candidate(i)) continue;
    last = i;
    r -= t[i].weight;
    if (r < 0) return i;
  }
  return last;
}
