import type { ConfigFile } from './config-file.schema.js';

/** Per-attempt upstream time limits (`timeouts:` in YAML), milliseconds; unset: no limit of that kind. */
export interface TimeoutSettings {
  /** TCP (and TLS) connection set-up. */
  connectMs?: number;
  /** Request sent → response headers (for a non-streamed answer, the whole generation). */
  firstByteMs?: number;
  /** Streams: response headers → first event. */
  firstTokenMs?: number;
  /** Streams: the longest silence between two events. */
  idleMs?: number;
  /** The whole attempt, first byte to last. */
  totalMs?: number;
}

export interface AliasTarget {
  /** A model as a request would name it (`provider/model`, usually). */
  model: string;
  weight: number;
}

export type BalanceStrategy = 'weighted' | 'least-inflight';

/** An alias spread over several deployments (`aliases: { smart: { targets, strategy } }`). */
export interface AliasPool {
  targets: AliasTarget[];
  strategy: BalanceStrategy;
}

export interface BreakerSettings {
  /** Outcomes remembered per target. */
  window: number;
  /** Only outcomes this recent count. */
  windowMs: number;
  /** The circuit opens with at least this many failures in the window… */
  minFailures: number;
  /** …that are at least this share of the outcomes in it. */
  failureRatio: number;
  /** How long an open circuit refuses before one probe is let through. */
  cooldownMs: number;
}

export interface ResilienceConfig {
  /** Further tries of the same target after a retryable failure (`retries:`). */
  retries: number;
  /** Full-jitter exponential backoff: a delay drawn from [0, min(maxMs, baseMs·2^n)]. */
  backoff: { baseMs: number; maxMs: number };
  /** An upstream `retry-after` longer than this is not waited for. */
  maxRetryAfterMs: number;
  /** Requested model, alias or resolved `provider/model` → targets tried after it fails. */
  fallbacks: Record<string, string[]>;
  /** Aliases with several weighted targets. */
  pools: Record<string, AliasPool>;
  /** Keyed by provider name or `provider/model` (the latter refines the former). */
  timeouts: Record<string, TimeoutSettings>;
  breaker: BreakerSettings;
}

export const DEFAULT_RETRIES = 2;
export const MAX_RETRY_AFTER_MS = 10_000;

const TIMEOUT_FIELDS: ReadonlyArray<[TimeoutKey, keyof TimeoutSettings]> = [
  ['connect_ms', 'connectMs'],
  ['first_byte_ms', 'firstByteMs'],
  ['first_token_ms', 'firstTokenMs'],
  ['idle_ms', 'idleMs'],
  ['total_ms', 'totalMs'],
];
type TimeoutKey = 'connect_ms' | 'first_byte_ms' | 'first_token_ms' | 'idle_ms' | 'total_ms';

/**
 * The `retries`, `retry_backoff`, `fallbacks`, `timeouts` and `circuit_breaker` sections,
 * and the `aliases` entries that are pools (`{ targets, strategy }`), of tollgate.yaml as
 * the schema accepted them (see config-file.schema.ts): defaults, the typed result, and
 * the rules a schema cannot say, each problem one line in `problems`.
 */
export function loadResilienceConfig(
  file: ConfigFile,
  providerNames: readonly string[],
  problems: string[],
): ResilienceConfig {
  const backoff = file.retry_backoff ?? {};
  const breaker = file.circuit_breaker ?? {};
  return {
    retries: file.retries ?? DEFAULT_RETRIES,
    backoff: { baseMs: backoff.base_ms ?? 250, maxMs: backoff.max_ms ?? 5_000 },
    maxRetryAfterMs: MAX_RETRY_AFTER_MS,
    fallbacks: { ...file.fallbacks },
    pools: loadPools(file.aliases),
    timeouts: loadTimeouts(file.timeouts, providerNames, problems),
    breaker: {
      window: breaker.window ?? 20,
      windowMs: breaker.window_ms ?? 30_000,
      minFailures: breaker.min_failures ?? 5,
      failureRatio: breaker.failure_ratio ?? 0.5,
      cooldownMs: breaker.cooldown_ms ?? 30_000,
    },
  };
}

function loadPools(section: ConfigFile['aliases']): Record<string, AliasPool> {
  const out: Record<string, AliasPool> = {};
  for (const [alias, raw] of Object.entries(section ?? {})) {
    if (typeof raw === 'string') continue; // a plain alias, not a pool
    out[alias] = {
      strategy: raw.strategy ?? 'weighted',
      targets: raw.targets.map((t) =>
        typeof t === 'string' ? { model: t, weight: 1 } : { model: t.model, weight: t.weight ?? 1 },
      ),
    };
  }
  return out;
}

/** A timeouts key names a configured provider; connections are set per provider only. */
function loadTimeouts(
  section: ConfigFile['timeouts'],
  providerNames: readonly string[],
  problems: string[],
): Record<string, TimeoutSettings> {
  const out: Record<string, TimeoutSettings> = {};
  for (const [key, raw] of Object.entries(section ?? {})) {
    const where = `config timeouts.${key}`;
    const provider = key.includes('/') ? key.slice(0, key.indexOf('/')) : key;
    if (!providerNames.includes(provider)) {
      problems.push(`${where}: '${provider}' is not a configured provider`);
      continue;
    }
    const settings: TimeoutSettings = {};
    for (const [yamlName, field] of TIMEOUT_FIELDS) {
      const v = raw[yamlName];
      if (v !== undefined && v !== null) settings[field] = v;
    }
    if (key.includes('/') && settings.connectMs !== undefined) {
      problems.push(
        `${where}.connect_ms: connections are per provider; set it under timeouts.${provider}`,
      );
    }
    out[key] = settings;
  }
  return out;
}
