import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock/clock.js';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { CircuitBreaker } from './circuit-breaker.js';

/** What the gateway tracks of one target (`provider/model`). */
export interface TargetHealth {
  readonly key: string;
  readonly breaker: CircuitBreaker;
  /** Attempts in flight (maintained for pool targets, read by `least-inflight`). */
  inflight: number;
}

/** Targets not named in the configuration get breakers too, up to this many. */
const MAX_UNCONFIGURED = 1_000;

/**
 * The circuit breakers of every target, by `provider/model`. Targets named in the
 * configuration (alias targets, fallbacks, timeouts, provider model lists) exist from the
 * start and are exported to `/metrics`; others (a model only a request named) are added
 * on first use, bounded, and not exported, so no request can add metric series.
 */
@Injectable()
export class TargetHealthRegistry implements OnModuleInit {
  private readonly targets = new Map<string, TargetHealth>();
  private readonly configured: TargetHealth[] = [];
  private unconfigured = 0;

  constructor(
    @Inject(TOLLGATE_CONFIG) private readonly config: TollgateConfig,
    @Inject(CLOCK) readonly clock: Clock,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    const providers = new Set(config.providers.map((p) => p.name));
    const add = (model: string): void => {
      const slash = model.indexOf('/');
      if (slash <= 0 || !providers.has(model.slice(0, slash)) || this.targets.has(model)) return;
      const t = this.create(model);
      this.configured.push(t);
    };
    const r = config.resilience;
    for (const target of Object.values(config.aliases)) add(target);
    for (const pool of Object.values(r.pools)) for (const t of pool.targets) add(t.model);
    for (const [key, list] of Object.entries(r.fallbacks)) [key, ...list].forEach(add);
    for (const key of Object.keys(r.timeouts)) add(key);
    for (const p of config.providers) for (const m of p.models ?? []) add(`${p.name}/${m}`);
  }

  onModuleInit(): void {
    this.metrics?.watchCircuits(() => {
      const now = this.clock.now();
      return this.configured.map((t) => {
        const slash = t.key.indexOf('/');
        return {
          provider: t.key.slice(0, slash),
          model: t.key.slice(slash + 1),
          state: t.breaker.stateAt(now),
        };
      });
    });
  }

  /** The target's health record; undefined only past the bound on unconfigured targets. */
  get(key: string): TargetHealth | undefined {
    const t = this.targets.get(key);
    if (t !== undefined || this.unconfigured >= MAX_UNCONFIGURED) return t;
    this.unconfigured++;
    return this.create(key);
  }

  private create(key: string): TargetHealth {
    const t: TargetHealth = {
      key,
      breaker: new CircuitBreaker(this.config.resilience.breaker),
      inflight: 0,
    };
    this.targets.set(key, t);
    return t;
  }
}
