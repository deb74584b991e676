import type { LimitScope } from '../common/context/request-context.js';
import type { Clock } from '../common/clock/clock.js';
import {
  ledgerOf,
  scopeKey,
  type AdmitInput,
  type AdmitResult,
  type LimitsBackend,
  type SpendSource,
  type WindowCounts,
} from './limits-backend.js';

const MINUTE_MS = 60_000;

interface Window {
  minute: number;
  count: number;
}

interface Ledger {
  key: string;
  spent: bigint;
  reserved: Map<string, bigint>;
  reservedTotal: bigint;
}

/**
 * Limits held by this process alone: without Redis, or while it is unreachable. The same
 * rules as the Redis backend (fixed UTC-minute windows, parallel slots, budget ledgers
 * seeded from the usage table), exact within the process: the check and the taking
 * happen in one synchronous step.
 */
export class LocalLimits implements LimitsBackend {
  private readonly requests = new Map<string, Window>();
  private readonly tokens = new Map<string, Window>();
  private readonly slots = new Map<string, Set<string>>();
  /** The current ledger of each budgeted scope. */
  private readonly ledgers = new Map<string, Ledger>();
  private readonly seeding = new Map<string, Promise<Ledger>>();

  constructor(
    private readonly clock: Clock,
    private readonly spend: SpendSource,
  ) {}

  async admit(input: AdmitInput): Promise<AdmitResult> {
    const ledgers: Array<Ledger | null> = [];
    for (const scope of input.scopes) ledgers.push(await this.ledger(scope, input.at));
    // From here on nothing awaits: the check and the taking are one step.
    const now = this.clock.now();
    const minute = Math.floor(now / MINUTE_MS);
    const resetMs = (minute + 1) * MINUTE_MS - now;
    const counts: WindowCounts[] = input.scopes.map((s) => ({
      requests: count(this.requests, scopeKey(s), minute),
      tokens: count(this.tokens, scopeKey(s), minute),
    }));
    for (let i = 0; i < input.scopes.length; i++) {
      const s = input.scopes[i];
      const refuse = (refusal: 'rpm' | 'tpm' | 'parallel' | 'budget'): AdmitResult => ({
        ok: false,
        refusal,
        scope: s,
        counts,
        resetMs,
      });
      if (s.rpm !== null && counts[i].requests >= s.rpm) return refuse('rpm');
      if (s.tpm !== null && counts[i].tokens >= s.tpm) return refuse('tpm');
      if (s.maxParallel !== null && (this.slots.get(scopeKey(s))?.size ?? 0) >= s.maxParallel) {
        return refuse('parallel');
      }
      const ledger = ledgers[i];
      if (
        ledger &&
        s.budgetNanos !== null &&
        ledger.spent + ledger.reservedTotal + input.reserveNanos > s.budgetNanos
      ) {
        return refuse('budget');
      }
    }
    for (let i = 0; i < input.scopes.length; i++) {
      const s = input.scopes[i];
      const key = scopeKey(s);
      if (s.rpm !== null) {
        add(this.requests, key, minute, 1);
        counts[i].requests++;
      }
      if (s.maxParallel !== null) {
        let set = this.slots.get(key);
        if (!set) this.slots.set(key, (set = new Set()));
        set.add(input.requestId);
      }
      const ledger = ledgers[i];
      if (ledger && input.reserveNanos > 0n) {
        ledger.reserved.set(input.requestId, input.reserveNanos);
        ledger.reservedTotal += input.reserveNanos;
      }
    }
    return { ok: true, counts, resetMs };
  }

  async release(requestId: string, scopes: readonly LimitScope[]): Promise<void> {
    for (const s of scopes) {
      const set = this.slots.get(scopeKey(s));
      if (set?.delete(requestId) && set.size === 0) this.slots.delete(scopeKey(s));
    }
  }

  async settle(input: AdmitInput, costNanos: bigint, tokens: number): Promise<void> {
    const minute = Math.floor(this.clock.now() / MINUTE_MS);
    for (const s of input.scopes) {
      if (s.tpm !== null && tokens > 0) add(this.tokens, scopeKey(s), minute, tokens);
      const id = ledgerOf(s, input.at);
      const ledger = id && this.ledgers.get(scopeKey(s));
      // A ledger of a period that has ended since is gone: its rows count in the database.
      if (!ledger || ledger.key !== id.key) continue;
      const reserved = ledger.reserved.get(input.requestId);
      if (reserved !== undefined) {
        ledger.reserved.delete(input.requestId);
        ledger.reservedTotal -= reserved;
      }
      ledger.spent += costNanos;
    }
  }

  /** The scope's ledger for the period of `at`, seeded from the usage table on first use. */
  private async ledger(scope: LimitScope, at: number): Promise<Ledger | null> {
    const id = ledgerOf(scope, at);
    if (!id) return null;
    const key = scopeKey(scope);
    const current = this.ledgers.get(key);
    if (current?.key === id.key) return current;
    let seeding = this.seeding.get(id.key);
    if (!seeding) {
      seeding = this.spend(scope, id.from)
        .then((spent) => {
          const existing = this.ledgers.get(key);
          if (existing?.key === id.key) return existing;
          const ledger: Ledger = { key: id.key, spent, reserved: new Map(), reservedTotal: 0n };
          this.ledgers.set(key, ledger);
          return ledger;
        })
        .finally(() => this.seeding.delete(id.key));
      this.seeding.set(id.key, seeding);
    }
    return seeding;
  }
}

function count(windows: Map<string, Window>, key: string, minute: number): number {
  const w = windows.get(key);
  return w && w.minute === minute ? w.count : 0;
}

function add(windows: Map<string, Window>, key: string, minute: number, n: number): void {
  const w = windows.get(key);
  if (w && w.minute === minute) w.count += n;
  else windows.set(key, { minute, count: n });
}
