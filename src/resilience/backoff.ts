/**
 * Full-jitter exponential backoff (the AWS Architecture Blog's "full jitter"): the wait
 * before retry `n` (0-based) is drawn uniformly from [0, min(maxMs, baseMs · 2^n)], so
 * clients that failed together do not come back together.
 */
export function fullJitterDelay(
  retry: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(retry, 30));
  return Math.floor(random() * ceiling);
}

/**
 * How long to wait before retrying the same target: the upstream's `retry-after` when it
 * gave one (it knows best), else full jitter. Undefined when the upstream asks for longer
 * than `maxRetryAfterMs`: that target is given up for this request.
 */
export function retryDelay(
  retryAfterMs: number | undefined,
  retry: number,
  backoff: { baseMs: number; maxMs: number },
  maxRetryAfterMs: number,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterMs !== undefined) return retryAfterMs > maxRetryAfterMs ? undefined : retryAfterMs;
  return fullJitterDelay(retry, backoff.baseMs, backoff.maxMs, random);
}
