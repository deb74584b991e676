import fc from 'fast-check';
import type { BreakerSettings } from '../config/resilience-config.js';
import { CircuitBreaker, CircuitState } from './circuit-breaker.js';

const settings: BreakerSettings = {
  window: 20,
  windowMs: 30_000,
  minFailures: 5,
  failureRatio: 0.5,
  cooldownMs: 30_000,
};

describe('CircuitBreaker', () => {
  it('opens after 5 failures that are half of the recent outcomes, then probes once and closes', () => {
    const b = new CircuitBreaker(settings);
    let now = 1_000;
    for (let i = 0; i < 5; i++) b.success(now);
    for (let i = 0; i < 4; i++) b.failure(now);
    expect(b.stateAt(now)).toBe(CircuitState.Closed); // 4 failures: below the minimum
    b.failure(now); // 5 of 10
    expect(b.stateAt(now)).toBe(CircuitState.Open);
    expect(b.tryAcquire(now)).toBe(false);

    now += 29_999;
    expect(b.tryAcquire(now)).toBe(false);
    now += 1;
    expect(b.stateAt(now)).toBe(CircuitState.HalfOpen);
    expect(b.tryAcquire(now)).toBe(true); // the probe
    expect(b.tryAcquire(now)).toBe(false); // only one
    b.success(now);
    expect(b.stateAt(now)).toBe(CircuitState.Closed);
    expect(b.tryAcquire(now)).toBe(true);
  });

  it('reopens when the probe fails, and frees the probe slot when it had no verdict', () => {
    const b = new CircuitBreaker(settings);
    for (let i = 0; i < 5; i++) b.failure(0);
    expect(b.tryAcquire(30_000)).toBe(true);
    b.release();
    expect(b.tryAcquire(30_000)).toBe(true);
    b.failure(30_001);
    expect(b.stateAt(30_001)).toBe(CircuitState.Open);
    expect(b.openedAt).toBe(30_001);
    expect(b.tryAcquire(59_999)).toBe(false);
  });

  it('forgets failures older than the window', () => {
    const b = new CircuitBreaker(settings);
    for (let i = 0; i < 4; i++) b.failure(0);
    b.failure(30_001); // the first four are out of the 30 s window now
    expect(b.stateAt(30_001)).toBe(CircuitState.Closed);
  });

  it('opens exactly when the rule says so, for any sequence of outcomes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5_000 })), { maxLength: 80 }),
        (events) => {
          const b = new CircuitBreaker(settings);
          const seen: Array<{ at: number; failed: boolean }> = [];
          let now = 0;
          for (const [failed, gap] of events) {
            now += gap;
            if (b.stateAt(now) !== CircuitState.Closed) return; // the model covers closed only
            if (failed) b.failure(now);
            else b.success(now);
            seen.push({ at: now, failed });
            const recent = seen.slice(-20).filter((e) => e.at >= now - 30_000);
            const failures = recent.filter((e) => e.failed).length;
            const shouldOpen = failed && failures >= 5 && failures >= recent.length * 0.5;
            expect(b.stateAt(now)).toBe(shouldOpen ? CircuitState.Open : CircuitState.Closed);
          }
        },
      ),
    );
  });
});
