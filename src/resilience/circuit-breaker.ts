import type { BreakerSettings } from '../config/resilience-config.js';

/** Exported as the `tollgate_circuit_state` gauge's value. */
export enum CircuitState {
  Closed = 0,
  HalfOpen = 1,
  Open = 2,
}

/**
 * One target's circuit breaker, a pure state machine over the times it is given:
 * closed → (≥ `minFailures` failures that are ≥ `failureRatio` of the last `window`
 * outcomes within `windowMs`) → open → (after `cooldownMs`) half-open, where exactly one
 * probe is let through → closed on its success, open again on its failure.
 *
 * The outcome window is two preallocated ring buffers: recording an outcome allocates
 * nothing, and only a failure scans the window.
 */
export class CircuitBreaker {
  private readonly at: Float64Array;
  private readonly failed: Uint8Array;
  private next = 0;
  private size = 0;
  private current = CircuitState.Closed;
  private probing = false;
  /** When the circuit last opened (epoch ms); -Infinity when it never did. */
  openedAt = -Infinity;

  constructor(private readonly settings: BreakerSettings) {
    this.at = new Float64Array(settings.window);
    this.failed = new Uint8Array(settings.window);
  }

  /** The state as a scrape should see it: an open circuit past its cooldown is half-open. */
  stateAt(now: number): CircuitState {
    if (this.current === CircuitState.Open && now - this.openedAt >= this.settings.cooldownMs) {
      return CircuitState.HalfOpen;
    }
    return this.current;
  }

  /**
   * May an attempt go to this target now? In half-open this takes the one probe slot;
   * the attempt must then end in `success`, `failure` or `release`.
   */
  tryAcquire(now: number): boolean {
    if (this.current === CircuitState.Closed) return true;
    if (this.current === CircuitState.Open) {
      if (now - this.openedAt < this.settings.cooldownMs) return false;
      this.current = CircuitState.HalfOpen;
      this.probing = false;
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  success(now: number): void {
    if (this.current !== CircuitState.Closed) {
      this.current = CircuitState.Closed;
      this.probing = false;
      this.size = 0;
      this.next = 0;
      return;
    }
    this.record(now, 0);
  }

  failure(now: number): void {
    if (this.current !== CircuitState.Closed) {
      this.open(now);
      return;
    }
    this.record(now, 1);
    if (this.shouldOpen(now)) this.open(now);
  }

  /** An attempt ended with no verdict on the target (the client left): frees the probe slot. */
  release(): void {
    this.probing = false;
  }

  private record(now: number, failed: 0 | 1): void {
    this.at[this.next] = now;
    this.failed[this.next] = failed;
    this.next = (this.next + 1) % this.at.length;
    if (this.size < this.at.length) this.size++;
  }

  private shouldOpen(now: number): boolean {
    let total = 0;
    let failures = 0;
    const since = now - this.settings.windowMs;
    for (let i = 0; i < this.size; i++) {
      if (this.at[i] < since) continue;
      total++;
      failures += this.failed[i];
    }
    return failures >= this.settings.minFailures && failures >= total * this.settings.failureRatio;
  }

  private open(now: number): void {
    this.current = CircuitState.Open;
    this.openedAt = now;
    this.probing = false;
    this.size = 0;
    this.next = 0;
  }
}
