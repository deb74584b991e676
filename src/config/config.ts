import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { checkConfigFile, type ConfigFile } from './config-file.schema.js';
import {
  BUILTIN_PROVIDERS,
  DEFAULT_AZURE_API_VERSION,
  PROVIDER_TYPES,
  type ProviderType,
} from './provider-types.js';
import { loadResilienceConfig, type ResilienceConfig } from './resilience-config.js';
import { loadTelemetryConfig, type TelemetryConfig } from './telemetry-config.js';
import { loadUsageConfig, type UsageConfig } from './usage-config.js';

export interface ProviderConfig {
  /** Instance name: the `provider` in `provider/model` ids and in responses. */
  name: string;
  type: ProviderType;
  baseUrl: string;
  apiKey?: string;
  /** When set, the model list; no discovery call is made. */
  models?: string[];
  /** Azure `api-version`. */
  apiVersion?: string;
  /** Extra static headers sent upstream (e.g. OpenRouter's `HTTP-Referer`). */
  headers: Record<string, string>;
  /** Per-model default `max_tokens` for providers that require one (Anthropic). */
  defaultMaxTokens?: Record<string, number>;
}

export type AuthConfig =
  { mode: 'disabled' } | { mode: 'master'; masterKey: string; generated: boolean };

export interface TollgateConfig {
  host: string;
  port: number;
  auth: AuthConfig;
  databaseUrl: string;
  redisUrl?: string;
  logLevel: string;
  metricsPublic: boolean;
  bodyLimitBytes: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** A request body must have fully arrived within this (TOLLGATE_REQUEST_TIMEOUT_MS): 408. */
  bodyTimeoutMs: number;
  /** On SIGTERM, open requests and streams get this long to finish (TOLLGATE_DRAIN_TIMEOUT_MS). */
  drainTimeoutMs: number;
  heartbeatMs: number;
  discoveryIntervalMs: number;
  providers: ProviderConfig[];
  /**
   * alias → `provider/model` (or another model name). A pool alias (several targets, see
   * `resilience.pools`) is listed here with its first target, so routing without the
   * resilience layer and the model list still know it.
   */
  aliases: Record<string, string>;
  /** Retries, fallbacks, alias pools, per-target timeouts, circuit breakers (YAML). */
  resilience: ResilienceConfig;
  /**
   * Proxied requests in flight at once on this replica (TOLLGATE_MAX_INFLIGHT); beyond it
   * a request is refused at once with 503. 0: no limit.
   */
  maxInflight: number;
  /** Usage recording, retention and pricing overrides (`usage:`, `pricing:` in YAML). */
  usage: UsageConfig;
  /** Rate limits and budgets (see "Limits and budgets"). */
  limits: LimitsConfig;
  /** OpenTelemetry tracing (the standard `OTEL_*` variables); off unless an endpoint is set. */
  telemetry: TelemetryConfig;
}

export interface LimitsConfig {
  /** While Redis is unreachable: per-process limits (`open`) or 503 for limited keys (`closed`). TOLLGATE_LIMITS_FAIL. */
  failMode: 'open' | 'closed';
  /** Budgeted keys calling a model without a price: refused (`refuse`, default) or admitted at no cost. TOLLGATE_BUDGET_UNPRICED. */
  unpriced: 'refuse' | 'allow';
  /** Prefix of every Redis key the limits use (TOLLGATE_REDIS_PREFIX). */
  redisPrefix: string;
  /** How long a parallel slot or a budget reservation outlives a replica that crashed (TOLLGATE_LIMITS_SLOT_TTL_S). */
  slotTtlMs: number;
  /** Longest wait for Redis on admission before falling back (TOLLGATE_LIMITS_REDIS_TIMEOUT_MS). */
  redisTimeoutMs: number;
  /** Output tokens reserved when neither the request nor the model says (TOLLGATE_BUDGET_DEFAULT_MAX_OUTPUT). */
  defaultMaxOutputTokens: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads and validates the whole configuration once. This is the only place that
 * reads `process.env`; every problem is collected so the operator sees them all.
 */
export function loadConfig(env: Env = process.env): TollgateConfig {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
      return fallback;
    }
    return n;
  };

  const configPath =
    str('TOLLGATE_CONFIG') ?? (existsSync('tollgate.yaml') ? 'tollgate.yaml' : undefined);
  let file: ConfigFile = {};
  if (configPath !== undefined) {
    try {
      const parsed: unknown = parseYaml(readFileSync(configPath, 'utf8'));
      if (parsed !== null && parsed !== undefined) {
        if (typeof parsed !== 'object' || Array.isArray(parsed)) {
          problems.push(`${configPath}: the top level must be a mapping`);
        } else {
          const checked = checkConfigFile(
            substituteEnv(parsed, env, problems) as Record<string, unknown>,
          );
          problems.push(...checked.problems);
          file = checked.file;
        }
      }
    } catch (err) {
      const firstLine = (err as Error).message.split('\n')[0].replace(/:$/, '');
      problems.push(`TOLLGATE_CONFIG: cannot read ${configPath}: ${firstLine}`);
    }
  }

  const logLevel = str('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const authMode = str('TOLLGATE_AUTH');
  let auth: AuthConfig;
  if (authMode !== undefined && authMode !== 'disabled' && authMode !== 'enabled') {
    problems.push(`TOLLGATE_AUTH must be "disabled" or "enabled", got "${authMode}"`);
  }
  if (authMode === 'disabled') {
    auth = { mode: 'disabled' };
  } else {
    const masterKey = str('TOLLGATE_MASTER_KEY');
    if (masterKey !== undefined && masterKey.length < 16) {
      problems.push('TOLLGATE_MASTER_KEY must be at least 16 characters');
    }
    auth = masterKey
      ? { mode: 'master', masterKey, generated: false }
      : {
          mode: 'master',
          masterKey: `tg-master-${randomBytes(24).toString('base64url')}`,
          generated: true,
        };
  }

  const databaseUrl = str('DATABASE_URL') ?? 'sqlite:./data/tollgate.db';
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with sqlite: or postgres://');
  }
  const redisUrl = str('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push('REDIS_URL must start with redis:// or rediss://');
  }

  const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
      return fallback;
    }
    return raw as T;
  };
  const limits: LimitsConfig = {
    failMode: choice('TOLLGATE_LIMITS_FAIL', ['open', 'closed'] as const, 'open'),
    unpriced: choice('TOLLGATE_BUDGET_UNPRICED', ['refuse', 'allow'] as const, 'refuse'),
    redisPrefix: str('TOLLGATE_REDIS_PREFIX') ?? 'tollgate:',
    slotTtlMs: int('TOLLGATE_LIMITS_SLOT_TTL_S', 900, 10, 86_400) * 1000,
    redisTimeoutMs: int('TOLLGATE_LIMITS_REDIS_TIMEOUT_MS', 500, 10, 60_000),
    defaultMaxOutputTokens: int('TOLLGATE_BUDGET_DEFAULT_MAX_OUTPUT', 32_768, 1, 10_000_000),
  };

  const providers = loadProviders(str, file, problems);
  const aliases = loadAliases(file);

  const config: TollgateConfig = {
    host: str('HOST') ?? '0.0.0.0',
    port: int('PORT', 8080, 0, 65535),
    auth,
    databaseUrl,
    redisUrl,
    logLevel,
    metricsPublic: str('METRICS_PUBLIC') === 'true',
    bodyLimitBytes: parseSize(str('TOLLGATE_BODY_LIMIT'), problems),
    connectTimeoutMs: int('TOLLGATE_CONNECT_TIMEOUT_MS', 10_000, 1, 600_000),
    requestTimeoutMs: int('TOLLGATE_TIMEOUT_MS', 600_000, 1, 3_600_000),
    bodyTimeoutMs: int('TOLLGATE_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
    drainTimeoutMs: int('TOLLGATE_DRAIN_TIMEOUT_MS', 25_000, 0, 3_600_000),
    heartbeatMs: int('TOLLGATE_HEARTBEAT_MS', 15_000, 100, 600_000),
    discoveryIntervalMs: int('TOLLGATE_DISCOVERY_INTERVAL_S', 600, 0, 86_400) * 1000,
    providers,
    aliases,
    resilience: loadResilienceConfig(
      file,
      providers.map((p) => p.name),
      problems,
    ),
    maxInflight: int('TOLLGATE_MAX_INFLIGHT', 0, 0, 1_000_000),
    usage: loadUsageConfig(
      file,
      str('TOLLGATE_USAGE_RETENTION_DAYS') === undefined
        ? undefined
        : int('TOLLGATE_USAGE_RETENTION_DAYS', 0, 0, 36_500),
      databaseUrl,
      providers.map((p) => p.name),
      problems,
    ),
    limits,
    telemetry: loadTelemetryConfig(str, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function parseSize(raw: string | undefined, problems: string[]): number {
  const fallback = 10 * 1024 * 1024;
  if (raw === undefined) return fallback;
  const m = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(raw);
  if (!m) {
    problems.push(`TOLLGATE_BODY_LIMIT must be a size like 10mb or 1048576, got "${raw}"`);
    return fallback;
  }
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase()] ?? 1;
  return Number(m[1]) * unit;
}

function loadProviders(
  str: (name: string) => string | undefined,
  file: ConfigFile,
  problems: string[],
): ProviderConfig[] {
  const byName = new Map<string, ProviderConfig>();

  for (const p of BUILTIN_PROVIDERS) {
    const apiKey = str(`${p.prefix}_API_KEY`);
    const baseUrl = str(`${p.prefix}_BASE_URL`);
    const enabled = p.keyless
      ? baseUrl !== undefined || apiKey !== undefined
      : apiKey !== undefined;
    if (!enabled) continue;
    const resolvedBase = baseUrl ?? p.defaultBaseUrl;
    if (resolvedBase === undefined) {
      problems.push(`${p.prefix}_BASE_URL is required when ${p.prefix}_API_KEY is set`);
      continue;
    }
    const name = p.prefix.toLowerCase();
    byName.set(name, {
      name,
      type: p.type,
      baseUrl: resolvedBase,
      apiKey,
      models: parseList(str(`${p.prefix}_MODELS`)),
      apiVersion:
        p.type === 'azure-openai'
          ? (str(`${p.prefix}_API_VERSION`) ?? DEFAULT_AZURE_API_VERSION)
          : undefined,
      headers: {},
    });
  }

  for (const [name, entry] of Object.entries(file.providers ?? {})) {
    const p = parseProviderEntry(name, entry, byName.get(name), problems);
    if (p) byName.set(name, p);
  }

  for (const p of byName.values()) {
    if (!/^https?:\/\//.test(p.baseUrl)) {
      problems.push(
        `provider ${p.name}: base URL must start with http:// or https://, got "${p.baseUrl}"`,
      );
    }
    p.baseUrl = p.baseUrl.replace(/\/+$/, '');
  }
  return [...byName.values()];
}

type ProviderEntry = NonNullable<ConfigFile['providers']>[string];

/** One `providers:` entry the schema accepted, over the built-in instance of that name. */
function parseProviderEntry(
  name: string,
  e: ProviderEntry,
  base: ProviderConfig | undefined,
  problems: string[],
): ProviderConfig | undefined {
  const where = `config providers.${name}`;
  const type = e.type ?? base?.type;
  if (type === undefined) {
    problems.push(`${where}.type: must be one of ${PROVIDER_TYPES.join(', ')}`);
    return undefined;
  }
  const builtin = BUILTIN_PROVIDERS.find((b) => b.type === type && b.defaultBaseUrl);
  const baseUrl =
    e.base_url ??
    base?.baseUrl ??
    (type === 'openai-compatible' || type === 'azure-openai' ? undefined : builtin?.defaultBaseUrl);
  if (baseUrl === undefined) {
    problems.push(`${where}.base_url: is required for type ${type}`);
    return undefined;
  }
  return {
    name,
    type,
    baseUrl,
    apiKey: e.api_key ?? base?.apiKey,
    models: e.models ?? base?.models,
    apiVersion:
      e.api_version ??
      base?.apiVersion ??
      (type === 'azure-openai' ? DEFAULT_AZURE_API_VERSION : undefined),
    headers: e.headers ?? base?.headers ?? {},
    defaultMaxTokens: e.default_max_tokens,
  };
}

/** `aliases:` → alias → model; a pool alias is listed with its first target. */
function loadAliases(file: ConfigFile): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [alias, target] of Object.entries(file.aliases ?? {})) {
    if (typeof target === 'string') {
      out[alias] = target;
    } else {
      const first = target.targets[0];
      out[alias] = typeof first === 'string' ? first : first.model;
    }
  }
  return out;
}

function parseList(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

/** `${VAR}` in YAML string values is replaced from the environment, so secrets stay out of the file. */
function substituteEnv(value: unknown, env: Env, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        problems.push(`config refers to \${${name}}, which is not set`);
        return '';
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v) => substituteEnv(v, env, problems));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, problems)]),
    );
  }
  return value;
}
