import type { OpenAPIObject, OperationObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { statusAndType } from '../common/errors/error-envelope.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { WIRE_CODES, type ErrorScope, type WireCodeEntry } from '../common/errors/wire-codes.js';
import { clientStatusForUpstream } from '../common/http/upstream-errors.js';
import { ERROR_SCOPE_EXTENSION } from './api-error-responses.decorator.js';

const SCHEMA_REF = '#/components/schemas/';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * What @nestjs/swagger leaves for us to say, done once on the generated document:
 * - schema names lose the `Dto` suffix (`ChatCompletionRequestDto` → `ChatCompletionRequest`),
 *   references included;
 * - `nullable` beside a `oneOf`/`anyOf` (where OpenAPI 3.0 ignores it) moves into the forms
 *   that have a type;
 * - each operation's doc comment (the Swagger plugin puts it in `description`) gives the
 *   summary, its first sentence, and the description, the rest;
 * - operations without bearer auth say so (`security: []`);
 * - error responses are written from the scopes `@ApiErrorResponses` left on operations.
 */
export function polishDocument(doc: OpenAPIObject, errorEnvelope: string): OpenAPIObject {
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) polishOperation(op, `${method.toUpperCase()} ${path}`, errorEnvelope);
    }
  }
  const renamed = renameSchemas(doc, schemaName);
  for (const schema of Object.values(renamed.components?.schemas ?? {})) {
    moveNullableIntoForms(schema);
  }
  return renamed;
}

/** A DTO class's schema name: `ChatCompletionRequestDto` → `ChatCompletionRequest`. */
export function schemaName(className: string): string {
  return className.replace(/Dto$/, '');
}

function polishOperation(op: OperationObject, where: string, errorEnvelope: string): void {
  const comment = op.description?.trim();
  if (!op.summary && comment) {
    const { first, rest } = splitFirstSentence(comment);
    op.summary = first;
    op.description = rest || comment;
  }
  op.security ??= [];
  for (const [status, response] of Object.entries(op.responses ?? {})) {
    const r = response as ResponseObject;
    if (!r.description) r.description = STATUS_CODES[Number(status)] ?? 'Response';
  }
  const ext = op as unknown as Record<string, unknown>;
  const scopes = Object.keys(ext)
    .filter((k) => k.startsWith(ERROR_SCOPE_EXTENSION))
    .map((k) => {
      delete ext[k];
      return k.slice(ERROR_SCOPE_EXTENSION.length) as ErrorScope;
    });
  if (scopes.length > 0) writeErrorResponses(op, new Set(scopes), where, errorEnvelope);
}

/**
 * A doc comment's summary and the rest: its first paragraph when a blank line follows it,
 * else its first sentence (without the full stop).
 */
export function splitFirstSentence(text: string): { first: string; rest: string } {
  const paragraph = /\n\s*\n/.exec(text);
  const end = paragraph ?? /[.!?](?=\s+[A-Z`(*_[]|\s*$)/.exec(text);
  const cut = end ? end.index : text.length;
  return {
    first: text.slice(0, cut).replace(/\s+/g, ' ').trim().replace(/\.$/, ''),
    rest: text.slice(cut + (end?.[0].length ?? 0)).trim(),
  };
}

/** The codes that can happen in these scopes, by HTTP status. */
export function errorCodesByStatus(
  scopes: ReadonlySet<ErrorScope>,
): Map<number, Array<WireCodeEntry & { type: string }>> {
  const out = new Map<number, Array<WireCodeEntry & { type: string }>>();
  for (const entry of WIRE_CODES as readonly WireCodeEntry[]) {
    if (!entry.scopes.some((s) => scopes.has(s))) continue;
    const { status, type } = statusAndType(
      new GatewayError(entry.error, entry.meaning, { status: entry.status }),
    );
    out.set(status, [...(out.get(status) ?? []), { ...entry, type }]);
  }
  return new Map([...out].sort(([a], [b]) => a - b));
}

function writeErrorResponses(
  op: OperationObject,
  scopes: ReadonlySet<ErrorScope>,
  where: string,
  errorEnvelope: string,
): void {
  const errors: Record<string, ResponseObject> = {};
  for (const [status, entries] of errorCodesByStatus(scopes)) {
    // Chat errors the upstream answered with go out with its status, code and message.
    const relayed = scopes.has('chat') && clientStatusForUpstream(status) === status;
    const lines = entries.map((e) => `- \`${e.code}\`: ${e.meaning}`);
    if (relayed) {
      lines.push(
        "- any other code, or `null`: the upstream provider's own error, relayed with its status",
      );
    }
    const examples: Record<string, { summary: string; value: unknown }> = {};
    for (const e of entries) {
      const name = e.code in examples ? `${e.code}_${e.scopes[0]}` : e.code;
      examples[name] = {
        summary: e.meaning,
        value: {
          error: { message: e.meaning, type: e.type, param: e.param ?? null, code: e.code },
        },
      };
    }
    errors[String(status)] = {
      description: `${STATUS_CODES[status] ?? 'Error'}. \`error.code\` is one of:\n\n${lines.join('\n')}`,
      content: {
        'application/json': {
          schema: { $ref: `${SCHEMA_REF}${errorEnvelope}` },
          examples,
        },
      },
    };
  }
  if (Object.keys(errors).length === 0) throw new Error(`${where}: no error codes in its scopes`);
  const responses = { ...op.responses, ...errors };
  op.responses = Object.fromEntries(
    Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)),
  );
}

/** Renames component schemas and every reference to them; two schemas may not meet. */
export function renameSchemas(doc: OpenAPIObject, rename: (name: string) => string): OpenAPIObject {
  const schemas = doc.components?.schemas ?? {};
  const names = new Map<string, string>();
  for (const name of Object.keys(schemas)) {
    const next = rename(name);
    if ([...names.values()].includes(next)) {
      throw new Error(`two schemas would be named ${next}`);
    }
    names.set(name, next);
  }
  const refOf = (ref: string): string => {
    if (!ref.startsWith(SCHEMA_REF)) return ref;
    const name = ref.slice(SCHEMA_REF.length);
    return `${SCHEMA_REF}${names.get(name) ?? name}`;
  };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === '$ref' && typeof value === 'string') out[key] = refOf(value);
      else if (key === 'mapping' && value && typeof value === 'object') {
        out[key] = Object.fromEntries(
          Object.entries(value as Record<string, unknown>).map(([k, v]) => [
            k,
            typeof v === 'string' ? refOf(v) : v,
          ]),
        );
      } else out[key] = walk(value);
    }
    return out;
  };
  const { components, ...rest } = doc;
  const out = walk(rest) as OpenAPIObject;
  if (components) {
    const { schemas: _schemas, ...others } = components;
    out.components = {
      ...(walk(others) as typeof components),
      schemas: Object.fromEntries(
        Object.entries(schemas).map(([name, schema]) => [names.get(name)!, walk(schema)]),
      ) as Record<string, SchemaObject>,
    };
  }
  return out;
}

/**
 * OpenAPI 3.0 reads `nullable` only beside a `type`: on a `oneOf`/`anyOf` of forms it says
 * nothing. It moves into the first form that has a type (only one, so that null still
 * fits exactly one form of a `oneOf`; an enum form gets `null` listed too), which means
 * what it was meant to; everywhere in the schema.
 */
export function moveNullableIntoForms(schema: unknown): void {
  if (Array.isArray(schema)) {
    schema.forEach(moveNullableIntoForms);
    return;
  }
  if (schema === null || typeof schema !== 'object') return;
  const s = schema as Record<string, unknown>;
  for (const value of Object.values(s)) moveNullableIntoForms(value);
  const forms = (s.oneOf ?? s.anyOf) as Array<Record<string, unknown>> | undefined;
  if (s.nullable !== true || s.type !== undefined || !forms) return;
  const typed = forms.find((f) => typeof f.type === 'string');
  if (!typed) return;
  delete s.nullable;
  if (forms.some((f) => f.nullable === true)) return;
  typed.nullable = true;
  if (Array.isArray(typed.enum) && !typed.enum.includes(null)) typed.enum = [...typed.enum, null];
}
