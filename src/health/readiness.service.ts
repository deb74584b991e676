import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<boolean>;

/** A part of the process that reports its own state: whether it is fine, and details. */
export type ReadinessReport = () => { ready: boolean; detail: unknown };

/**
 * Modules that own a dependency (storage, cache) register a check here; parts with state
 * worth showing (the usage writer's backlog) register a report, which is one more check
 * and a field of its own in the `/ready` body.
 */
@Injectable()
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly reports = new Map<string, ReadinessReport>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  report(name: string, report: ReadinessReport): void {
    this.reports.set(name, report);
  }

  async status(): Promise<{
    ready: boolean;
    checks: Record<string, boolean>;
    details: Record<string, unknown>;
  }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          return [name, await check()] as const;
        } catch {
          return [name, false] as const;
        }
      }),
    );
    const details: Record<string, unknown> = {};
    for (const [name, report] of this.reports) {
      try {
        const r = report();
        entries.push([name, r.ready]);
        details[name] = r.detail;
      } catch {
        entries.push([name, false]);
      }
    }
    const checks = Object.fromEntries(entries);
    return {
      ready: entries.every(([, ok]) => ok),
      checks: { config: true, ...checks },
      details,
    };
  }
}
