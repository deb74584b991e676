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

const TIMEOUT_FIELDS: ReadonlyArray<[string, keyof TimeoutSettings]> = [
  ['connect_ms', 'connectMs'],
  ['first_byte_ms', 'firstByteMs'],
  ['first_token_ms', 'firstTokenMs'],
  ['idle_ms', 'idleMs'],
  ['total_ms', 'totalMs'],
];

const BREAKER_FIELDS: ReadonlyArray<[string, keyof BreakerSettings, number, number]> = [
  ['window', 'window', 1, 1000],
  ['window_ms', 'windowMs', 1, 3_600_000],
  ['min_failures', 'minFailures', 1, 1000],
  ['failure_ratio', 'failureRatio', 0, 1],
  ['cooldown_ms', 'cooldownMs', 1, 3_600_000],
];

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The `retries`, `retry_backoff`, `fallbacks`, `timeouts` and `circuit_breaker` sections,
 * and the `aliases` entries that are pools (`{ targets, strategy }`), of tollgate.yaml.
 * Each problem is one line in `problems`.
 */
export function loadResilienceConfig(
  file: Record<string, unknown>,
  providerNames: readonly string[],
  problems: string[],
): ResilienceConfig {
  return {
    retries: intIn(file.retries, 'config retries', 0, 10, DEFAULT_RETRIES, problems),
    backoff: loadBackoff(file.retry_backoff, problems),
    maxRetryAfterMs: MAX_RETRY_AFTER_MS,
    fallbacks: loadFallbacks(file.fallbacks, problems),
    pools: loadPools(file.aliases, problems),
    timeouts: loadTimeouts(file.timeouts, providerNames, problems),
    breaker: loadBreaker(file.circuit_breaker, problems),
  };
}

function intIn(
  v: unknown,
  where: string,
  min: number,
  max: number,
  fallback: number,
  problems: string[],
): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    problems.push(
      `${where} must be an integer between ${min} and ${max}, got ${JSON.stringify(v)}`,
    );
    return fallback;
  }
  return v;
}

function loadBackoff(section: unknown, problems: string[]): ResilienceConfig['backoff'] {
  const out = { baseMs: 250, maxMs: 5_000 };
  if (section === undefined || section === null) return out;
  if (!isMapping(section)) {
    problems.push('config retry_backoff: must be a mapping with base_ms and max_ms');
    return out;
  }
  unknownKeys(section, ['base_ms', 'max_ms'], 'config retry_backoff', problems);
  out.baseMs = intIn(section.base_ms, 'config retry_backoff.base_ms', 0, 60_000, 250, problems);
  out.maxMs = intIn(section.max_ms, 'config retry_backoff.max_ms', 0, 60_000, 5_000, problems);
  return out;
}

function loadFallbacks(section: unknown, problems: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (section === undefined || section === null) return out;
  if (!isMapping(section)) {
    problems.push('config fallbacks: must be a mapping of model or alias → list of models');
    return out;
  }
  for (const [key, list] of Object.entries(section)) {
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      list.some((m) => typeof m !== 'string' || m === '')
    ) {
      problems.push(
        `config fallbacks.${key} must be a non-empty list of models such as anthropic/claude-sonnet-4-5`,
      );
      continue;
    }
    out[key] = list as string[];
  }
  return out;
}

function loadPools(section: unknown, problems: string[]): Record<string, AliasPool> {
  const out: Record<string, AliasPool> = {};
  if (!isMapping(section)) return out; // the string form and its problems belong to loadAliases
  for (const [alias, raw] of Object.entries(section)) {
    if (!isMapping(raw) || !Array.isArray(raw.targets)) continue; // reported by loadAliases
    const where = `config aliases.${alias}`;
    unknownKeys(raw, ['targets', 'strategy'], where, problems);
    const strategy = raw.strategy ?? 'weighted';
    if (strategy !== 'weighted' && strategy !== 'least-inflight') {
      problems.push(`${where}.strategy must be weighted or least-inflight`);
      continue;
    }
    if (raw.targets.length === 0) {
      problems.push(`${where}.targets must be a non-empty list of { model, weight }`);
      continue;
    }
    const targets: AliasTarget[] = [];
    raw.targets.forEach((t: unknown, i) => {
      const entry = typeof t === 'string' ? { model: t } : t;
      if (!isMapping(entry) || typeof entry.model !== 'string' || entry.model === '') {
        problems.push(`${where}.targets[${i}] must be a model name or { model, weight }`);
        return;
      }
      const weight = entry.weight ?? 1;
      if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
        problems.push(`${where}.targets[${i}].weight must be a positive number`);
        return;
      }
      targets.push({ model: entry.model, weight });
    });
    if (targets.length === raw.targets.length) out[alias] = { targets, strategy };
  }
  return out;
}

function loadTimeouts(
  section: unknown,
  providerNames: readonly string[],
  problems: string[],
): Record<string, TimeoutSettings> {
  const out: Record<string, TimeoutSettings> = {};
  if (section === undefined || section === null) return out;
  if (!isMapping(section)) {
    problems.push('config timeouts: must be a mapping of provider or provider/model → limits');
    return out;
  }
  for (const [key, raw] of Object.entries(section)) {
    const where = `config timeouts.${key}`;
    const provider = key.includes('/') ? key.slice(0, key.indexOf('/')) : key;
    if (!providerNames.includes(provider)) {
      problems.push(`${where}: '${provider}' is not a configured provider`);
      continue;
    }
    if (!isMapping(raw)) {
      problems.push(`${where} must be a mapping of ${TIMEOUT_FIELDS.map((f) => f[0]).join(', ')}`);
      continue;
    }
    unknownKeys(
      raw,
      TIMEOUT_FIELDS.map((f) => f[0]),
      where,
      problems,
    );
    const settings: TimeoutSettings = {};
    for (const [yamlName, field] of TIMEOUT_FIELDS) {
      if (raw[yamlName] === undefined) continue;
      const v = intIn(raw[yamlName], `${where}.${yamlName}`, 1, 3_600_000, 0, problems);
      if (v > 0) settings[field] = v;
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

function loadBreaker(section: unknown, problems: string[]): BreakerSettings {
  const out: BreakerSettings = {
    window: 20,
    windowMs: 30_000,
    minFailures: 5,
    failureRatio: 0.5,
    cooldownMs: 30_000,
  };
  if (section === undefined || section === null) return out;
  if (!isMapping(section)) {
    problems.push('config circuit_breaker: must be a mapping');
    return out;
  }
  unknownKeys(
    section,
    BREAKER_FIELDS.map((f) => f[0]),
    'config circuit_breaker',
    problems,
  );
  for (const [yamlName, field, min, max] of BREAKER_FIELDS) {
    const v = section[yamlName];
    if (v === undefined) continue;
    if (
      typeof v !== 'number' ||
      v < min ||
      v > max ||
      (field !== 'failureRatio' && !Number.isInteger(v))
    ) {
      problems.push(
        `config circuit_breaker.${yamlName} must be ${field === 'failureRatio' ? 'a number' : 'an integer'} between ${min} and ${max}`,
      );
      continue;
    }
    out[field] = v;
  }
  return out;
}

function unknownKeys(
  m: Record<string, unknown>,
  known: readonly string[],
  where: string,
  problems: string[],
): void {
  for (const k of Object.keys(m)) {
    if (!known.includes(k)) problems.push(`${where}: unknown setting '${k}'`);
  }
}
