import { Ajv, type ErrorObject } from 'ajv';
import { PROVIDER_TYPES } from './provider-types.js';

/**
 * The one description of tollgate.yaml's shape. Every structural rule (types, ranges,
 * known keys, required fields) lives here; the loaders keep only what a schema cannot
 * say: references between sections, `${ENV}` substitution, defaults and the typed result.
 *
 * A leaf schema's `description` completes "must be …" in the problem reported for it.
 * `nullable` marks the settings where an empty YAML value means "unset".
 */

const int = (min: number, max: number, nullable = false) =>
  ({
    type: 'integer',
    minimum: min,
    maximum: max,
    ...(nullable ? { nullable: true } : {}),
    description: `an integer between ${min} and ${max}`,
  }) as const;

const modelName = {
  type: 'string',
  minLength: 1,
  description: 'a model name such as anthropic/claude-sonnet-4-5',
} as const;

const optString = { type: 'string', nullable: true } as const;

const price = (nullable: boolean) =>
  ({
    type: 'number',
    minimum: 0,
    maximum: 1_000_000,
    multipleOf: 0.000001,
    ...(nullable ? { nullable: true } : {}),
    description: 'a number of USD per 1M tokens',
  }) as const;

const RATES = {
  input: price(false),
  output: price(false),
  cached_input: price(true),
  cache_write: price(true),
  reasoning: price(true),
} as const;

const mapping = (description: string) => ({ type: 'object', description }) as const;

export const PROVIDER_NAME_PATTERN = '^[a-z0-9][a-z0-9._-]*$';

export const CONFIG_FILE_SCHEMA = {
  type: 'object',
  properties: {
    providers: {
      ...mapping('a mapping of name → provider settings'),
      propertyNames: {
        type: 'string',
        pattern: PROVIDER_NAME_PATTERN,
        description: "lower-case letters, digits, '.', '_' or '-' (no '/')",
      },
      additionalProperties: {
        ...mapping('a mapping of provider settings'),
        additionalProperties: false,
        properties: {
          type: { type: 'string', enum: [...PROVIDER_TYPES, null], nullable: true },
          base_url: optString,
          api_key: optString,
          api_version: optString,
          models: {
            type: 'array',
            items: { type: 'string', minLength: 1 },
            description: 'a list of model names',
          },
          headers: {
            ...mapping('a mapping of header → string'),
            additionalProperties: { type: 'string' },
          },
          default_max_tokens: {
            ...mapping('a mapping of model → positive integer'),
            additionalProperties: {
              type: 'integer',
              minimum: 1,
              description: 'a positive integer',
            },
          },
        },
      },
    },
    aliases: {
      ...mapping('a mapping of alias → model'),
      additionalProperties: {
        if: { type: 'object' },
        then: {
          type: 'object',
          additionalProperties: false,
          required: ['targets'],
          properties: {
            targets: {
              type: 'array',
              minItems: 1,
              description: 'a non-empty list of { model, weight }',
              items: {
                if: { type: 'string' },
                then: { type: 'string', minLength: 1, description: 'a model name' },
                else: {
                  ...mapping('a model name or { model, weight }'),
                  additionalProperties: false,
                  required: ['model'],
                  properties: {
                    model: { type: 'string', minLength: 1, description: 'a model name' },
                    weight: {
                      type: 'number',
                      exclusiveMinimum: 0,
                      nullable: true,
                      description: 'a positive number',
                    },
                  },
                },
              },
            },
            strategy: {
              type: 'string',
              enum: ['weighted', 'least-inflight', null],
              nullable: true,
            },
          },
        },
        else: {
          type: 'string',
          minLength: 1,
          description: 'a model name such as openai/gpt-4o-mini, or { targets, strategy }',
        },
      },
    },
    pricing: {
      ...mapping('a mapping of provider → model → prices'),
      nullable: true,
      additionalProperties: {
        ...mapping('a mapping of model → prices'),
        additionalProperties: {
          ...mapping('a mapping with input and output (USD per 1M tokens)'),
          additionalProperties: false,
          required: ['input', 'output'],
          properties: {
            ...RATES,
            long_context: {
              ...mapping('a mapping with threshold, input and output'),
              additionalProperties: false,
              required: ['threshold', 'input', 'output'],
              properties: {
                ...RATES,
                threshold: {
                  type: 'integer',
                  minimum: 1,
                  description: 'a positive number of prompt tokens',
                },
              },
            },
          },
        },
      },
    },
    usage: {
      ...mapping('a mapping'),
      nullable: true,
      additionalProperties: false,
      properties: {
        retention_days: int(0, 36_500, true),
        spool_path: { type: 'string', minLength: 1, nullable: true, description: 'a file path' },
        flush_interval_ms: int(10, 60_000, true),
        batch_size: int(1, 5_000, true),
        buffer_size: int(10, 1_000_000, true),
        stuck_after_s: int(1, 86_400, true),
      },
    },
    retries: int(0, 10, true),
    retry_backoff: {
      ...mapping('a mapping with base_ms and max_ms'),
      nullable: true,
      additionalProperties: false,
      properties: { base_ms: int(0, 60_000, true), max_ms: int(0, 60_000, true) },
    },
    fallbacks: {
      ...mapping('a mapping of model or alias → list of models'),
      nullable: true,
      additionalProperties: {
        type: 'array',
        minItems: 1,
        items: modelName,
        description: 'a non-empty list of models such as anthropic/claude-sonnet-4-5',
      },
    },
    timeouts: {
      ...mapping('a mapping of provider or provider/model → limits'),
      nullable: true,
      additionalProperties: {
        ...mapping('a mapping of connect_ms, first_byte_ms, first_token_ms, idle_ms, total_ms'),
        additionalProperties: false,
        properties: {
          connect_ms: int(1, 3_600_000, true),
          first_byte_ms: int(1, 3_600_000, true),
          first_token_ms: int(1, 3_600_000, true),
          idle_ms: int(1, 3_600_000, true),
          total_ms: int(1, 3_600_000, true),
        },
      },
    },
    circuit_breaker: {
      ...mapping('a mapping'),
      nullable: true,
      additionalProperties: false,
      properties: {
        window: int(1, 1000),
        window_ms: int(1, 3_600_000),
        min_failures: int(1, 1000),
        failure_ratio: {
          type: 'number',
          minimum: 0,
          maximum: 1,
          description: 'a number between 0 and 1',
        },
        cooldown_ms: int(1, 3_600_000),
      },
    },
  },
} as const;

/** The top-level sections whose entries are named by the operator (checked entry by entry). */
const KEYED_SECTIONS = new Set(['providers', 'aliases', 'pricing', 'fallbacks', 'timeouts']);

type Rates = { input: number; output: number } & Partial<
  Record<'cached_input' | 'cache_write' | 'reasoning', number | null>
>;

/** tollgate.yaml once the schema accepted it (or the parts of it the schema accepted). */
export interface ConfigFile {
  providers?: Record<
    string,
    {
      type?: (typeof PROVIDER_TYPES)[number] | null;
      base_url?: string | null;
      api_key?: string | null;
      api_version?: string | null;
      models?: string[];
      headers?: Record<string, string>;
      default_max_tokens?: Record<string, number>;
    }
  >;
  aliases?: Record<
    string,
    | string
    | {
        targets: Array<string | { model: string; weight?: number | null }>;
        strategy?: 'weighted' | 'least-inflight' | null;
      }
  >;
  pricing?: Record<
    string,
    Record<string, Rates & { long_context?: Rates & { threshold: number } }>
  > | null;
  usage?:
    | (Partial<
        Record<
          'retention_days' | 'flush_interval_ms' | 'batch_size' | 'buffer_size' | 'stuck_after_s',
          number | null
        >
      > & { spool_path?: string | null })
    | null;
  retries?: number | null;
  retry_backoff?: { base_ms?: number | null; max_ms?: number | null } | null;
  fallbacks?: Record<string, string[]> | null;
  timeouts?: Record<
    string,
    Partial<
      Record<
        'connect_ms' | 'first_byte_ms' | 'first_token_ms' | 'idle_ms' | 'total_ms',
        number | null
      >
    >
  > | null;
  circuit_breaker?: Partial<
    Record<'window' | 'window_ms' | 'min_failures' | 'failure_ratio' | 'cooldown_ms', number>
  > | null;
}

const ajv = new Ajv({
  allErrors: true,
  strict: true,
  verbose: true,
  messages: false,
  // `multipleOf: 0.000001` (prices) within floating-point error: 0.025 is a multiple.
  multipleOfPrecision: 6,
});
const validate = ajv.compile(CONFIG_FILE_SCHEMA);

export interface CheckedConfigFile {
  /** One line per structural problem: `config <dotted path>: <problem>`. */
  problems: string[];
  /** The document without the entries (or sections) the problems are about. */
  file: ConfigFile;
  /** The dotted paths of the problems, in the same order (for tests). */
  paths: string[];
}

/**
 * Checks a parsed tollgate.yaml (after `${ENV}` substitution) against the schema. An entry of
 * a keyed section (`providers.x`, `pricing.openai`, …) or a whole fixed section (`usage`, …)
 * with a problem is left out of `file`, so the loaders only ever see well-formed values.
 */
export function checkConfigFile(doc: Record<string, unknown>): CheckedConfigFile {
  const valid: boolean = validate(doc);
  if (valid) return { problems: [], paths: [], file: doc };
  const problems: string[] = [];
  const paths: string[] = [];
  const prune = new Map<string, Set<string> | 'all'>();
  const seen = new Set<string>();
  for (const err of validate.errors ?? []) {
    const described = describe(err);
    if (described === undefined) continue;
    const segments = [...pointer(err.instancePath), ...described.extra];
    const path = dotted(doc, segments);
    const line = `config ${path}: ${described.text}`;
    if (!seen.has(line)) {
      seen.add(line);
      problems.push(line);
      paths.push(path);
    }
    const [section, entry] = segments;
    if (section === undefined) continue;
    if (KEYED_SECTIONS.has(section) && entry !== undefined) {
      const entries = prune.get(section);
      if (entries !== 'all') prune.set(section, (entries ?? new Set()).add(entry));
    } else {
      prune.set(section, 'all');
    }
  }
  const file: Record<string, unknown> = { ...doc };
  for (const [section, entries] of prune) {
    if (entries === 'all') {
      delete file[section];
    } else {
      const kept = { ...(file[section] as Record<string, unknown>) };
      for (const e of entries) delete kept[e];
      file[section] = kept;
    }
  }
  return { problems, paths, file: file };
}

interface Described {
  /** Segments below the error's instancePath that the problem is about (a key). */
  extra: string[];
  text: string;
}

/** Ajv's error object → readable text; undefined for errors that only echo another one. */
function describe(err: ErrorObject): Described | undefined {
  // Echoes: a failed `if` branch, and the inner errors of `propertyNames` (reported once).
  if (err.keyword === 'if' || err.propertyName !== undefined) return undefined;
  const schema = (err.parentSchema ?? {}) as {
    type?: string;
    description?: string;
    properties?: Record<string, unknown>;
    propertyNames?: { description?: string };
  };
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const known = Object.keys(schema.properties ?? {});
      const expected = known.length > 0 ? ` (expected ${known.join(', ')})` : '';
      return { extra: [String(params.additionalProperty)], text: `unknown field${expected}` };
    }
    case 'required':
      return { extra: [String(params.missingProperty)], text: 'is required' };
    case 'propertyNames':
      return {
        extra: [String(params.propertyName)],
        text: `name must be ${schema.propertyNames?.description ?? 'valid'}`,
      };
    case 'enum':
      return {
        extra: [],
        text: `must be one of ${(params.allowedValues as Array<string | null>).filter((v) => v !== null).join(', ')}`,
      };
    case 'multipleOf': {
      const places = Math.round(-Math.log10(params.multipleOf as number));
      return { extra: [], text: `has more than ${places} decimal places` };
    }
    default: {
      const numeric = schema.type === 'integer' || schema.type === 'number';
      const got = numeric ? `, got ${JSON.stringify(err.data)}` : '';
      if (schema.description !== undefined) {
        return { extra: [], text: `must be ${schema.description}${got}` };
      }
      return { extra: [], text: `${generic(err)}${got}` };
    }
  }
}

function generic(err: ErrorObject): string {
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'type': {
      const t = String(params.type);
      const names: Record<string, string> = {
        object: 'a mapping',
        array: 'a list',
        integer: 'an integer',
      };
      return `must be ${names[t] ?? `a ${t}`}`;
    }
    case 'minLength':
      return 'must not be empty';
    case 'minItems':
      return 'must not be an empty list';
    default:
      return `must satisfy ${err.keyword} ${JSON.stringify(params)}`;
  }
}

function pointer(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `aliases.smart.targets[0].weight`: keys joined by dots, list positions in brackets. */
export function dotted(doc: unknown, segments: string[]): string {
  let out = '';
  let node: unknown = doc;
  for (const s of segments) {
    out += Array.isArray(node) ? `[${s}]` : out === '' ? s : `.${s}`;
    node =
      typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[s] : undefined;
  }
  return out;
}
