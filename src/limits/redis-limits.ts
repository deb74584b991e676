import type { Redis } from 'ioredis';
import type { LimitScope } from '../common/context/request-context.js';
import {
  ledgerOf,
  scopeKey,
  type AdmitInput,
  type AdmitResult,
  type LimitsBackend,
  type Refusal,
  type SpendSource,
  type WindowCounts,
} from './limits-backend.js';

/** Keys per scope: request window, token window, parallel slots, spend, reservations. */
const KEYS_PER_SCOPE = 5;
const ARGS_PER_SCOPE = 4;
/** Ledgers outlive their period by a day, so late settlements still find them. */
const LEDGER_GRACE_MS = 86_400_000;

/**
 * One round trip per admission: every check of every scope, then (only if all pass) the
 * taking, atomically. The clock is Redis's own (`TIME`), so replicas agree on the minute.
 *
 * - requests and tokens: fixed windows on the UTC minute, a hash {m: minute, c: count};
 * - parallel slots: a sorted set of request ids scored by when the slot lapses
 *   (a crashed replica's slots lapse after the slot TTL);
 * - budget: spend in a string (absent: not seeded from the database yet, answer 2) and
 *   reservations in a sorted set of `id:nanos` scored by when they lapse.
 *
 * Answers {1 | 0 | 2, refusal, scope index, ms to the next minute, requests₁, tokens₁, …}.
 */
const ADMIT = `
local n = tonumber(ARGV[1])
local id = ARGV[2]
local reserve = ARGV[3]
local reserveN = tonumber(reserve)
local ttl = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local minute = math.floor(tonumber(t[1]) / 60)
local resetMs = (minute + 1) * 60000 - now
local out = {1, '', 0, resetMs}
local function window(key)
  local v = redis.call('HMGET', key, 'm', 'c')
  if tonumber(v[1]) == minute then return tonumber(v[2]) or 0 end
  return 0
end
for i = 1, n do
  local k = (i - 1) * ${KEYS_PER_SCOPE}
  out[3 + 2 * i] = window(KEYS[k + 1])
  out[4 + 2 * i] = window(KEYS[k + 2])
end
local function refuse(code, why, i)
  out[1] = code
  out[2] = why
  out[3] = i
  return out
end
for i = 1, n do
  local k = (i - 1) * ${KEYS_PER_SCOPE}
  local a = 4 + (i - 1) * ${ARGS_PER_SCOPE}
  local rpm, tpm, par, budget = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  if rpm > 0 and out[3 + 2 * i] >= rpm then return refuse(0, 'rpm', i) end
  if tpm > 0 and out[4 + 2 * i] >= tpm then return refuse(0, 'tpm', i) end
  if par > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[k + 3], '-inf', now)
    if redis.call('ZCARD', KEYS[k + 3]) >= par then return refuse(0, 'parallel', i) end
  end
  if budget >= 0 then
    local spent = redis.call('GET', KEYS[k + 4])
    if not spent then return refuse(2, 'seed', i) end
    redis.call('ZREMRANGEBYSCORE', KEYS[k + 5], '-inf', now)
    local reserved = 0
    for _, m in ipairs(redis.call('ZRANGE', KEYS[k + 5], 0, -1)) do
      reserved = reserved + tonumber(string.match(m, ':(%d+)$'))
    end
    if tonumber(spent) + reserved + reserveN > budget then return refuse(0, 'budget', i) end
  end
end
for i = 1, n do
  local k = (i - 1) * ${KEYS_PER_SCOPE}
  local a = 4 + (i - 1) * ${ARGS_PER_SCOPE}
  if tonumber(ARGV[a + 1]) > 0 then
    if out[3 + 2 * i] > 0 then
      redis.call('HINCRBY', KEYS[k + 1], 'c', 1)
    else
      redis.call('HSET', KEYS[k + 1], 'm', minute, 'c', 1)
    end
    redis.call('PEXPIRE', KEYS[k + 1], 120000)
    out[3 + 2 * i] = out[3 + 2 * i] + 1
  end
  if tonumber(ARGV[a + 3]) > 0 then
    redis.call('ZADD', KEYS[k + 3], now + ttl, id)
    redis.call('PEXPIRE', KEYS[k + 3], ttl)
  end
  if tonumber(ARGV[a + 4]) >= 0 and reserveN > 0 then
    redis.call('ZADD', KEYS[k + 5], now + ttl, id .. ':' .. reserve)
    redis.call('PEXPIRE', KEYS[k + 5], ttl)
  end
end
return out
`;

/** Frees parallel slots: KEYS are the scopes' slot sets, ARGV[1] the request id. */
const RELEASE = `
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
`;

/**
 * Settles: per scope KEYS are (tokens window, spend, reservations); ARGV: request id,
 * reserved nanos, cost nanos, tokens, then per scope (tpm > 0, budgeted) as 0/1 flags.
 * Spend is only added to a seeded ledger: an absent one is seeded from the database,
 * which has this request's row.
 */
const SETTLE = `
local id, reserve, cost, tokens = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local t = redis.call('TIME')
local minute = math.floor(tonumber(t[1]) / 60)
for i = 1, #KEYS / 3 do
  local k = (i - 1) * 3
  if ARGV[3 + 2 * i] == '1' and tokens > 0 then
    local v = redis.call('HGET', KEYS[k + 1], 'm')
    if tonumber(v) == minute then
      redis.call('HINCRBY', KEYS[k + 1], 'c', tokens)
    else
      redis.call('HSET', KEYS[k + 1], 'm', minute, 'c', tokens)
    end
    redis.call('PEXPIRE', KEYS[k + 1], 120000)
  end
  if ARGV[4 + 2 * i] == '1' then
    redis.call('ZREM', KEYS[k + 3], id .. ':' .. reserve)
    if cost ~= '0' and redis.call('EXISTS', KEYS[k + 2]) == 1 then
      redis.call('INCRBY', KEYS[k + 2], cost)
    end
  end
end
return 1
`;

type LimitsClient = Redis & {
  tollgateAdmit(...args: Array<string | number>): Promise<Array<string | number>>;
  tollgateRelease(...args: Array<string | number>): Promise<number>;
  tollgateSettle(...args: Array<string | number>): Promise<number>;
};

const REFUSALS: ReadonlySet<string> = new Set(['rpm', 'tpm', 'parallel', 'budget']);

/** Limits shared by every replica on one Redis (see ADMIT for the data layout). */
export class RedisLimits implements LimitsBackend {
  private readonly defined = new WeakSet<Redis>();

  constructor(
    /** The command connection, or undefined while there is none. */
    private readonly connection: () => Redis | undefined,
    private readonly prefix: string,
    private readonly slotTtlMs: number,
    private readonly spend: SpendSource,
  ) {}

  async admit(input: AdmitInput): Promise<AdmitResult> {
    const keys: string[] = [];
    const args: Array<string | number> = [
      input.scopes.length,
      input.requestId,
      input.reserveNanos.toString(),
      this.slotTtlMs,
    ];
    for (const s of input.scopes) {
      keys.push(...this.scopeKeys(s, input.at));
      args.push(s.rpm ?? 0, s.tpm ?? 0, s.maxParallel ?? 0, (s.budgetNanos ?? -1n).toString());
    }
    // Seeding may be needed once per budgeted scope and period.
    for (let attempt = 0; ; attempt++) {
      const reply = await this.client().tollgateAdmit(keys.length, ...keys, ...args);
      const [code, why, index, resetMs] = reply;
      const counts: WindowCounts[] = input.scopes.map((_s, i) => ({
        requests: Number(reply[4 + 2 * i]),
        tokens: Number(reply[5 + 2 * i]),
      }));
      if (Number(code) === 1) return { ok: true, counts, resetMs: Number(resetMs) };
      const scope = input.scopes[Number(index) - 1];
      if (Number(code) === 2 && attempt < input.scopes.length + 1) {
        await this.seed(scope, input.at);
        continue;
      }
      if (!REFUSALS.has(String(why))) throw new Error(`limits script answered ${String(why)}`);
      return {
        ok: false,
        refusal: String(why) as Refusal,
        scope,
        counts,
        resetMs: Number(resetMs),
      };
    }
  }

  async release(requestId: string, scopes: readonly LimitScope[]): Promise<void> {
    const keys = scopes.filter((s) => s.maxParallel !== null).map((s) => this.key(s, 'par'));
    if (keys.length === 0) return;
    await this.client().tollgateRelease(keys.length, ...keys, requestId);
  }

  async settle(input: AdmitInput, costNanos: bigint, tokens: number): Promise<void> {
    const keys: string[] = [];
    const flags: string[] = [];
    for (const s of input.scopes) {
      const ledger = ledgerOf(s, input.at);
      if (s.tpm === null && !ledger) continue;
      keys.push(
        this.key(s, 'tpm'),
        ledger ? this.ledgerKey(ledger.key, 'spend') : this.key(s, 'spend'),
        ledger ? this.ledgerKey(ledger.key, 'res') : this.key(s, 'res'),
      );
      flags.push(s.tpm !== null ? '1' : '0', ledger ? '1' : '0');
    }
    if (keys.length === 0) return;
    await this.client().tollgateSettle(
      keys.length,
      ...keys,
      input.requestId,
      input.reserveNanos.toString(),
      costNanos.toString(),
      tokens,
      ...flags,
    );
  }

  /** Seeds a ledger from the usage table, unless another replica did meanwhile. */
  private async seed(scope: LimitScope, at: number): Promise<void> {
    const ledger = ledgerOf(scope, at);
    if (!ledger) return;
    const spent = await this.spend(scope, ledger.from);
    const key = this.ledgerKey(ledger.key, 'spend');
    if (Number.isFinite(ledger.until)) {
      await this.client().set(key, spent.toString(), 'PXAT', ledger.until + LEDGER_GRACE_MS, 'NX');
    } else {
      await this.client().set(key, spent.toString(), 'NX');
    }
  }

  private scopeKeys(s: LimitScope, at: number): string[] {
    const ledger = ledgerOf(s, at);
    return [
      this.key(s, 'rpm'),
      this.key(s, 'tpm'),
      this.key(s, 'par'),
      ledger ? this.ledgerKey(ledger.key, 'spend') : this.key(s, 'spend'),
      ledger ? this.ledgerKey(ledger.key, 'res') : this.key(s, 'res'),
    ];
  }

  private key(s: LimitScope, what: string): string {
    return `${this.prefix}limits:${scopeKey(s)}:${what}`;
  }

  private ledgerKey(ledger: string, what: string): string {
    return `${this.prefix}budget:${ledger}:${what}`;
  }

  private client(): LimitsClient {
    const client = this.connection();
    if (!client || client.status !== 'ready') throw new Error('redis is not connected');
    if (!this.defined.has(client)) {
      client.defineCommand('tollgateAdmit', { lua: ADMIT });
      client.defineCommand('tollgateRelease', { lua: RELEASE });
      client.defineCommand('tollgateSettle', { lua: SETTLE });
      this.defined.add(client);
    }
    return client as LimitsClient;
  }
}
