/** How long a budget lasts before it starts again: a UTC calendar period, or never. */
export type BudgetPeriod = 'daily' | 'weekly' | 'monthly' | 'total';

const DAY_MS = 86_400_000;

/**
 * Start (epoch ms, inclusive) of the period containing `now`: UTC midnight, the Monday of
 * the ISO week at UTC midnight, the 1st of the month at UTC midnight; 0 for `total`.
 */
export function periodStart(period: BudgetPeriod, now: number): number {
  switch (period) {
    case 'total':
      return 0;
    case 'daily':
      return Math.floor(now / DAY_MS) * DAY_MS;
    case 'weekly': {
      const day = Math.floor(now / DAY_MS);
      // 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays.
      return (day - mod(day + 3, 7)) * DAY_MS;
    }
    case 'monthly': {
      const d = new Date(now);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
  }
}

/** End (epoch ms, exclusive) of the period containing `now`; Infinity for `total`. */
export function periodEnd(period: BudgetPeriod, now: number): number {
  switch (period) {
    case 'total':
      return Infinity;
    case 'daily':
      return periodStart('daily', now) + DAY_MS;
    case 'weekly':
      return periodStart('weekly', now) + 7 * DAY_MS;
    case 'monthly': {
      const d = new Date(now);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    }
  }
}

/** Start of the current UTC minute (the rate-limit window). */
export function minuteStart(now: number): number {
  return Math.floor(now / 60_000) * 60_000;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/**
 * A duration the way OpenAI's `x-ratelimit-reset-*` headers spell it (Go's
 * time.Duration): `350ms`, `1s`, `12.5s`, `1m0s`.
 */
export function formatResetDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1000) return `${whole}ms`;
  const minutes = Math.floor(whole / 60_000);
  const seconds = (whole % 60_000) / 1000;
  const s = `${Number(seconds.toFixed(3))}s`;
  return minutes > 0 ? `${minutes}m${s}` : s;
}
