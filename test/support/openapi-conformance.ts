import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * Checks what the running gateway answers against the committed `openapi.json`, so the
 * document users generate clients from cannot drift from the responses they get.
 *
 * The document is OpenAPI 3.0: `nullable: true` is rewritten into JSON Schema (a `null`
 * type, or `anyOf` with null around a `$ref`/`allOf`/`oneOf`), and `#/components/...`
 * references resolve inside the components, added to Ajv as one schema with an `$id`.
 * Objects stay open as the document declares them: OpenAI-family upstreams add fields
 * (`service_tier`, `obfuscation`, …) that the gateway passes on unchanged. What the
 * gateway builds itself (translated Anthropic and Gemini answers) is checked `closed`:
 * a field it sends that the document does not name is a documentation gap.
 */
const DOC_ID = 'tollgate-openapi';

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}
interface Operation {
  responses: Record<
    string,
    { content?: Record<string, { schema?: { $ref?: string; oneOf?: Array<{ $ref?: string }> } }> }
  >;
}

export const openApiDocument = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'openapi.json'), 'utf8'),
) as OpenApiDocument;

export interface ConformanceOptions {
  /** Refuse properties the schema does not name (where it does not say otherwise). */
  closed?: boolean;
}

/** OpenAPI 3.0 `nullable` as JSON Schema, everywhere in `node`; `closed` as above. */
export function fromOpenApi30(node: unknown, options: ConformanceOptions = {}): unknown {
  const convert = (n: unknown) => fromOpenApi30(n, options);
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest)) {
    // `properties` maps names to schemas: recurse into each, keep the names.
    out[k] =
      k === 'properties' && v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, convert(s)]))
        : convert(v);
  }
  if (options.closed && out.properties && !('additionalProperties' in out)) {
    out.additionalProperties = false;
  }
  if (nullable !== true) return out;
  if (['$ref', 'allOf', 'oneOf', 'anyOf'].some((k) => k in out)) {
    return { anyOf: [{ type: 'null' }, out] };
  }
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out;
}

const validators = ([false, true] as const).map((closed) => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ $id: DOC_ID, components: fromOpenApi30(openApiDocument.components, { closed }) });
  return { ajv, compiled: new Map<string, ValidateFunction>() };
});

function validatorFor(name: string, closed: boolean): ValidateFunction {
  const { ajv, compiled } = validators[closed ? 1 : 0];
  let validate = compiled.get(name);
  if (!validate) {
    if (!(name in openApiDocument.components.schemas)) {
      throw new Error(`openapi.json has no schema named ${name}`);
    }
    validate = ajv.compile({ $ref: `${DOC_ID}#/components/schemas/${name}` });
    compiled.set(name, validate);
  }
  return validate;
}

function problems(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
  );
}

/** The schema's violations by `value` (empty when it conforms). */
export function schemaViolations(
  name: string,
  value: unknown,
  options: ConformanceOptions = {},
): string[] {
  const validate = validatorFor(name, options.closed ?? false);
  return validate(value) ? [] : problems(validate.errors);
}

/** `value` is what `#/components/schemas/<name>` describes. */
export function expectMatchesSchema(
  name: string,
  value: unknown,
  options: ConformanceOptions = {},
): void {
  expect({ schema: name, violations: schemaViolations(name, value, options) }).toEqual({
    schema: name,
    violations: [],
  });
}

/** The documented path template (`/v1/models/{id}`) that a concrete path is an instance of. */
function pathTemplate(path: string): string | undefined {
  const bare = path.split('?')[0];
  if (bare in openApiDocument.paths) return bare;
  // A parameter is one segment where that fits (`/admin/keys/{id}/rotate` is not
  // `/admin/keys/{id}`), else any text (`/v1/models/{id}` takes `openai/gpt-4o`).
  const matching = (param: string) =>
    Object.keys(openApiDocument.paths).find((template) => {
      const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, param);
      return new RegExp(`^${pattern}/?$`).test(bare);
    });
  return matching('[^/]+') ?? matching('.+');
}

/**
 * Names of the schemas documented for this response (several where it is a `oneOf` of
 * them), or an empty list when it is not documented.
 */
function documentedSchemas(
  method: string,
  path: string,
  status: number,
  contentType: string,
): string[] {
  const template = pathTemplate(path);
  const op = template ? openApiDocument.paths[template][method.toLowerCase()] : undefined;
  const schema = op?.responses[String(status)]?.content?.[contentType]?.schema;
  const refs = schema?.$ref ? [schema.$ref] : (schema?.oneOf ?? []).map((s) => s.$ref);
  return refs.filter((r): r is string => r !== undefined).map((r) => r.split('/').at(-1)!);
}

/** Name of the schema documented for this response, or undefined when it is not documented. */
export function documentedSchema(
  method: string,
  path: string,
  status: number,
  contentType = 'application/json',
): string | undefined {
  const names = documentedSchemas(method, path, status, contentType);
  return names.length === 1 ? names[0] : undefined;
}

/**
 * A JSON response body conforms to what openapi.json documents for this method, path and
 * status (to one of the schemas, where it documents a choice). Every error is the OpenAI
 * envelope, documented or not; a success the document does not describe fails, so new
 * responses get documented.
 */
export function expectResponseConforms(
  method: string,
  path: string,
  status: number,
  body: unknown,
): void {
  const documented = documentedSchemas(method, path, status, 'application/json');
  const names = documented.length > 0 ? documented : status >= 400 ? ['ErrorEnvelope'] : [];
  expect({ method, path, status, documented: names.length > 0 }).toEqual({
    method,
    path,
    status,
    documented: true,
  });
  const fitting = names.find((name) => schemaViolations(name, body).length === 0);
  if (fitting === undefined) expectMatchesSchema(names[0], body);
}

/** The schema each `data:` event of a streamed chat completion follows. */
export const CHUNK_SCHEMA = documentedSchema(
  'POST',
  '/v1/chat/completions',
  200,
  'text/event-stream',
)!;

/**
 * Every event of a chat stream conforms: chunks to the chunk schema, an error event to the
 * envelope. `events` as `sseEvents` returns them (`[DONE]` included).
 */
export function expectStreamConforms(
  events: ReadonlyArray<unknown>,
  options: ConformanceOptions = {},
): void {
  for (const event of events) {
    if (event === '[DONE]') continue;
    const isError = typeof event === 'object' && event !== null && 'error' in event;
    expectMatchesSchema(isError ? 'ErrorEnvelope' : CHUNK_SCHEMA, event, options);
  }
}
