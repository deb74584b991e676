import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import { ErrorCode, GatewayError } from '../errors/gateway-error.js';
import type { FastValidator } from './validated-by.decorator.js';

/** An OpenAPI 3.0 schema object, as @nestjs/swagger builds them. */
export type OpenApiSchema = Record<string, unknown>;

/** Rules a schema cannot say, run on a body the schema accepted. */
export type PostPass<T> = (body: T) => GatewayError | null;

const DEFS = 'dto';
const NULL_BRANCH = { type: 'null' } as const;

/**
 * Compiles the OpenAPI component schemas of a DTO (`root` and what it refers to) into one
 * validator: Ajv's generated code for the schema, then `postPass` on a body that passed.
 * Only a failing body pays for the explanation: the first failure becomes one OpenAI-style
 * 400 naming the field as `param` (`messages[2].content`). Properties the schema does not
 * declare are allowed, so unknown fields can be forwarded upstream.
 */
export function compileSchemaValidator<T>(
  root: string,
  schemas: Record<string, OpenApiSchema>,
  postPass: PostPass<T>,
): FastValidator {
  const definitions: Record<string, AnySchemaObject> = Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => [name, toJsonSchema(schema)]),
  );
  for (const schema of Object.values(definitions)) preferAnyOf(schema, definitions);
  const ajv = new Ajv({
    strict: true,
    allowUnionTypes: true,
    discriminator: true,
    allErrors: false,
    verbose: true,
    messages: false,
    // A `format` would need its checker registered: an unknown one fails here, at start.
    validateFormats: true,
  });
  ajv.addSchema({ $id: DEFS, definitions });
  const validate = ajv.compile({ $ref: `${DEFS}#/definitions/${root}` });
  const explain = new Explainer(ajv, definitions);
  return (body) => {
    if (validate(body)) return postPass(body as T);
    return explain.failure(validate.errors ?? [], []);
  };
}

/**
 * OpenAPI 3.0 → the JSON Schema Ajv compiles: `$ref`s point into the shared definitions and
 * `nullable` becomes a `null` type (or, beside a `$ref` or a combinator, a null branch).
 */
export function toJsonSchema(schema: unknown): AnySchemaObject {
  if (typeof schema !== 'object' || schema === null) return schema as AnySchemaObject;
  const { nullable, ...rest } = schema as OpenApiSchema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace('#/components/schemas/', `${DEFS}#/definitions/`);
    } else if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toJsonSchema(v)]),
      );
    } else if (key === 'oneOf' || key === 'anyOf' || key === 'allOf') {
      out[key] = (value as unknown[]).map(toJsonSchema);
    } else if (key === 'items' || key === 'not' || key === 'additionalProperties') {
      out[key] = toJsonSchema(value);
    } else {
      out[key] = value;
    }
  }
  if (nullable !== true) return out;
  const combined = '$ref' in out || 'oneOf' in out || 'anyOf' in out || 'allOf' in out;
  if (typeof out.type === 'string' && !combined) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null))
      out.enum = [...(out.enum as unknown[]), null];
    return out;
  }
  // Null last: the forms a client sends are tried first, so a valid value costs one check.
  return { anyOf: [out, NULL_BRANCH] };
}

/**
 * A `oneOf` whose forms have no JSON type in common (a string or an array) means the same
 * as an `anyOf`, which stops at the first form that fits instead of trying them all: on the
 * hot path that is the difference between one check and building errors for each form
 * that does not fit. A null wrapper around such a choice becomes one more form of it.
 */
function preferAnyOf(schema: unknown, defs: Record<string, AnySchemaObject>): void {
  if (typeof schema !== 'object' || schema === null) return;
  const s = schema as AnySchemaObject;
  for (const value of Object.values(s)) {
    if (Array.isArray(value)) value.forEach((v) => preferAnyOf(v, defs));
    else preferAnyOf(value, defs);
  }
  const forms = s.oneOf as AnySchemaObject[] | undefined;
  if (forms && s.discriminator === undefined) {
    const types = forms.map((f) => jsonTypesOf(f, defs));
    const all = types.flat();
    if (types.every((t) => t.length > 0) && new Set(all).size === all.length) {
      s.anyOf = forms;
      delete s.oneOf;
    }
  }
  const branches = s.anyOf as AnySchemaObject[] | undefined;
  const inner = branches?.[0];
  if (branches?.length === 2 && branches[1] === NULL_BRANCH && inner && isOnlyChoice(inner)) {
    s.anyOf = [...(inner.anyOf as AnySchemaObject[]), NULL_BRANCH];
    for (const [key, value] of Object.entries(inner)) if (key !== 'anyOf') s[key] = value;
  }
}

const ANNOTATIONS = new Set(['description', 'title', 'example', 'default']);
const isOnlyChoice = (s: AnySchemaObject): boolean =>
  Array.isArray(s.anyOf) && Object.keys(s).every((k) => k === 'anyOf' || ANNOTATIONS.has(k));

function jsonTypesOf(schema: AnySchemaObject, defs: Record<string, AnySchemaObject>): string[] {
  const ref = schema.$ref as string | undefined;
  const s = ref ? (defs[ref.slice(ref.lastIndexOf('/') + 1)] ?? {}) : schema;
  if (s.type === undefined) return [];
  const types = ([] as string[]).concat(s.type as string | string[]);
  return types.includes('integer') && !types.includes('number') ? [...types, 'number'] : types;
}

type Path = Array<string | number>;

/** Turns Ajv's first error into the message and `param` a client sees. */
class Explainer {
  private readonly branches = new WeakMap<object, ValidateFunction>();

  constructor(
    private readonly ajv: Ajv,
    private readonly definitions: Record<string, AnySchemaObject>,
  ) {}

  failure(errors: ErrorObject[], base: Path): Explained {
    // Ajv stops at the first failing keyword: it is the last error; those before it are
    // the failed branches of that keyword when it is a oneOf/anyOf.
    const e = errors[errors.length - 1];
    if (!e) return invalid(base, base.length, 'is invalid');
    const at = [...base, ...pointerPath(e.instancePath)];
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf') return this.alternatives(e, at);
    return describe(e, at, this.definitions);
  }

  /**
   * A value matching none of a field's forms: explain it against the form of its own JSON
   * type (an array against the array form), else list the forms. The `param` stays the
   * field that takes the forms; the message names the exact spot inside it.
   */
  private alternatives(e: ErrorObject, at: Path): Explained {
    const forms = (e.schema as AnySchemaObject[]).filter((s) => s !== NULL_BRANCH);
    const nullable = forms.length < (e.schema as unknown[]).length;
    const kind = jsonType(e.data);
    const form = forms.find((s) => this.typesOf(s).includes(kind));
    if (form === undefined) {
      return invalid(at, at.length, `must be ${listOf(forms.flatMap((s) => this.nouns(s)))}`);
    }
    const explained = this.explainAgainst(form, e.data, at);
    // A null wrapper is not a choice of forms: the param goes as deep as the error.
    if (nullable && forms.length === 1) return explained;
    return explained.cutAt(at.length);
  }

  private explainAgainst(schema: AnySchemaObject, data: unknown, at: Path): Explained {
    let validate = this.branches.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.branches.set(schema, validate);
    }
    if (validate(data)) return invalid(at, at.length, 'is invalid');
    return this.failure(validate.errors ?? [], at);
  }

  private resolve(schema: AnySchemaObject): AnySchemaObject {
    const ref = schema.$ref as string | undefined;
    if (!ref) return schema;
    return this.resolve(this.definitions[ref.slice(ref.lastIndexOf('/') + 1)] ?? {});
  }

  private typesOf(schema: AnySchemaObject): string[] {
    const s = this.resolve(schema);
    if (s.type !== undefined) {
      const types = ([] as string[]).concat(s.type as string | string[]);
      return types.includes('integer') ? [...types, 'number'] : types;
    }
    const forms = (s.oneOf ?? s.anyOf) as AnySchemaObject[] | undefined;
    return forms ? forms.flatMap((f) => this.typesOf(f)) : [];
  }

  /** How the forms a schema allows read in a message: `a string`, `an array of at most 4 strings`. */
  private nouns(schema: AnySchemaObject): string[] {
    const s = this.resolve(schema);
    if (Array.isArray(s.enum))
      return s.enum.filter((v) => v !== null).map((v) => JSON.stringify(v));
    const forms = (s.oneOf ?? s.anyOf) as AnySchemaObject[] | undefined;
    if (s.type === undefined && forms) return forms.flatMap((f) => this.nouns(f));
    return this.typesOf(s)
      .filter((t) => t !== 'null' && !(t === 'number' && this.typesOf(s).includes('integer')))
      .map((type) => {
        if (type !== 'array') return typeNoun(type);
        const most = typeof s.maxItems === 'number' ? ` of at most ${s.maxItems}` : ' of';
        const items = s.items as AnySchemaObject | undefined;
        const itemTypes = items ? this.typesOf(items) : [];
        const what = typeof items?.title === 'string' ? items.title : itemTypes[0];
        return `an array${most} ${what && itemTypes.length === 1 ? `${what}s` : 'objects'}`;
      });
  }
}

type Explained = GatewayError & { cutAt(depth: number): Explained };

function describe(e: ErrorObject, at: Path, defs: Record<string, AnySchemaObject>): Explained {
  const p = e.params as Record<string, unknown>;
  const parent = e.parentSchema ?? {};
  switch (e.keyword) {
    case 'required':
      return invalid([...at, p.missingProperty as string], at.length + 1, 'is required');
    case 'type':
      return invalid(at, at.length, `must be ${listOf(typesIn(p.type).map(typeNoun))}`);
    case 'enum':
      return invalid(
        at,
        at.length,
        `must be one of the following values: ${valuesOf(parent.enum)}`,
      );
    case 'const':
      return invalid(at, at.length, `must be ${JSON.stringify(parent.const)}`);
    case 'minimum':
    case 'exclusiveMinimum':
      return invalid(at, at.length, `must not be less than ${String(p.limit)}`);
    case 'maximum':
    case 'exclusiveMaximum':
      return invalid(at, at.length, `must not be greater than ${String(p.limit)}`);
    case 'minLength':
      return invalid(
        at,
        at.length,
        p.limit === 1 ? 'should not be empty' : `must be at least ${String(p.limit)} characters`,
      );
    case 'maxLength':
      return invalid(at, at.length, `must be at most ${String(p.limit)} characters`);
    case 'minItems':
      return invalid(at, at.length, `must contain at least ${String(p.limit)} elements`);
    case 'maxItems':
      return invalid(at, at.length, `must contain no more than ${String(p.limit)} elements`);
    case 'pattern': {
      const hint = typeof parent.description === 'string' ? ` (${parent.description})` : '';
      return invalid(at, at.length, `must match ${String(p.pattern)}${hint.replace(/\.\)$/, ')')}`);
    }
    case 'discriminator': {
      const tag = p.tag as string;
      const tags = ((parent.oneOf ?? []) as AnySchemaObject[]).flatMap((s) => {
        const ref = s.$ref as string | undefined;
        const target = ref ? defs[ref.slice(ref.lastIndexOf('/') + 1)] : s;
        const prop = (target?.properties as Record<string, AnySchemaObject> | undefined)?.[tag];
        const values: unknown[] = (prop?.enum as unknown[] | undefined) ?? [prop?.const];
        return values.filter((v) => v !== undefined);
      });
      return invalid([...at, tag], at.length + 1, `must be one of ${valuesOf(tags)}`);
    }
    default:
      return invalid(at, at.length, `is invalid (${e.keyword})`);
  }
}

/**
 * The 400 for a value at `path`: `param` is the path's first `depth` steps, the message
 * names the rest, starting from the last property name in `param`.
 */
function invalid(path: Path, depth: number, problem: string): Explained {
  if (path.length === 0) {
    const whole = new GatewayError(ErrorCode.InvalidRequest, `The request body ${problem}.`);
    return Object.assign(whole, { cutAt: () => whole as Explained });
  }
  const param = render(path.slice(0, depth));
  let from = Math.min(depth, path.length) - 1;
  while (from > 0 && typeof path[from] === 'number') from--;
  const subject = render(path.slice(Math.max(from, 0)));
  const error = new GatewayError(
    ErrorCode.InvalidRequest,
    `Invalid value for '${param}': ${subject} ${problem}.`,
    { param, wireCode: 'invalid_value' },
  );
  return Object.assign(error, {
    cutAt: (cut: number) => invalid(path, Math.min(cut, depth), problem),
  });
}

/** `["messages", 0, "content"]` → `messages[0].content`. */
function render(path: Path): string {
  let out = '';
  for (const step of path) {
    out += typeof step === 'number' ? `[${step}]` : out === '' ? step : `.${step}`;
  }
  return out;
}

function pointerPath(pointer: string): Path {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

const typesIn = (t: unknown): string[] =>
  String(t)
    .split(',')
    .filter((x) => x !== 'null');

function typeNoun(type: string): string {
  switch (type) {
    case 'string':
      return 'a string';
    case 'boolean':
      return 'a boolean value';
    case 'integer':
      return 'an integer number';
    case 'number':
      return 'a number';
    case 'array':
      return 'an array';
    case 'null':
      return 'null';
    default:
      return 'an object';
  }
}

function valuesOf(values: unknown): string {
  return ((values ?? []) as unknown[])
    .filter((v) => v !== null)
    .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
    .join(', ');
}

function listOf(items: string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
