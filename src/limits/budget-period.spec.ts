import fc from 'fast-check';
import { formatResetDuration, minuteStart, periodEnd, periodStart } from './budget-period.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const at = (s: string): number => Date.parse(s);

describe('budget periods (UTC calendar)', () => {
  it('daily starts at UTC midnight, whatever the time of day', () => {
    expect(iso(periodStart('daily', at('2025-03-09T23:59:59.999Z')))).toBe(
      '2025-03-09T00:00:00.000Z',
    );
    expect(iso(periodStart('daily', at('2025-03-10T00:00:00.000Z')))).toBe(
      '2025-03-10T00:00:00.000Z',
    );
    expect(iso(periodEnd('daily', at('2025-03-09T12:00:00Z')))).toBe('2025-03-10T00:00:00.000Z');
  });

  it('weekly starts on Monday 00:00 UTC (ISO weeks)', () => {
    // 2025-03-09 is a Sunday, 2025-03-10 a Monday.
    expect(iso(periodStart('weekly', at('2025-03-09T23:59:59.999Z')))).toBe(
      '2025-03-03T00:00:00.000Z',
    );
    expect(iso(periodStart('weekly', at('2025-03-10T00:00:00.000Z')))).toBe(
      '2025-03-10T00:00:00.000Z',
    );
    expect(iso(periodStart('weekly', at('1970-01-01T05:00:00Z')))).toBe('1969-12-29T00:00:00.000Z');
    expect(iso(periodEnd('weekly', at('2025-12-31T10:00:00Z')))).toBe('2026-01-05T00:00:00.000Z');
  });

  it('monthly starts on the 1st, across leap years and year ends', () => {
    expect(iso(periodStart('monthly', at('2024-02-29T23:59:59.999Z')))).toBe(
      '2024-02-01T00:00:00.000Z',
    );
    expect(iso(periodEnd('monthly', at('2024-02-29T23:59:59.999Z')))).toBe(
      '2024-03-01T00:00:00.000Z',
    );
    expect(iso(periodEnd('monthly', at('2025-12-15T00:00:00Z')))).toBe('2026-01-01T00:00:00.000Z');
  });

  it('total never resets', () => {
    expect(periodStart('total', at('2025-03-09T12:00:00Z'))).toBe(0);
    expect(periodEnd('total', at('2025-03-09T12:00:00Z'))).toBe(Infinity);
  });

  it('every instant lies in its period, periods tile time, and starts fall on their boundary', () => {
    const instant = fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) });
    fc.assert(
      fc.property(instant, fc.constantFrom('daily', 'weekly', 'monthly' as const), (t, p) => {
        const start = periodStart(p, t);
        const end = periodEnd(p, t);
        expect(start).toBeLessThanOrEqual(t);
        expect(end).toBeGreaterThan(t);
        // The next period starts exactly where this one ends.
        expect(periodStart(p, end)).toBe(end);
        expect(periodStart(p, end - 1)).toBe(start);
        const d = new Date(start);
        expect(d.getUTCHours() + d.getUTCMinutes() + d.getUTCSeconds()).toBe(0);
        if (p === 'weekly') expect(d.getUTCDay()).toBe(1);
        if (p === 'monthly') expect(d.getUTCDate()).toBe(1);
      }),
    );
  });

  it('minute windows start on the minute', () => {
    expect(iso(minuteStart(at('2025-03-09T10:11:59.999Z')))).toBe('2025-03-09T10:11:00.000Z');
  });

  it('formats reset durations as OpenAI does', () => {
    expect(formatResetDuration(349.2)).toBe('350ms');
    expect(formatResetDuration(1000)).toBe('1s');
    expect(formatResetDuration(12_500)).toBe('12.5s');
    expect(formatResetDuration(60_000)).toBe('1m0s');
    expect(formatResetDuration(-5)).toBe('0ms');
  });
});
