import { ErrorCode, GatewayError } from '../../common/errors/gateway-error.js';
import { REASONING_EFFORTS, ROLES } from './chat-enums.js';
import { checkMessageContent } from './content.validator.js';

/**
 * The chat request's validation on the hot path: the same rules as the class-validator
 * decorators on `ChatCompletionRequestDto` (which stay the documented source of truth
 * for the OpenAPI schema), written as one pass over the plain body. class-validator
 * instantiates a class per message and part and costs ~30 µs for a short request and
 * milliseconds for a long conversation; this costs a few microseconds. A spec runs
 * both over a corpus and fails when they disagree.
 */
export function validateChatRequest(body: unknown): GatewayError | null {
  if (!isObject(body)) {
    return new GatewayError(ErrorCode.InvalidRequest, 'The request body must be a JSON object.');
  }
  return (
    requiredString(body, 'model') ??
    checkMessages(body.messages) ??
    optional(body, 'provider', nonEmptyString) ??
    optional(body, 'stream', boolean) ??
    optionalObject(body, 'stream_options', (o, p) => optional(o, 'include_usage', boolean, p)) ??
    optional(body, 'max_tokens', integerAtLeast(1)) ??
    optional(body, 'max_completion_tokens', integerAtLeast(1)) ??
    optional(body, 'temperature', numberBetween(0, 2)) ??
    optional(body, 'top_p', numberBetween(0, 1)) ??
    optional(body, 'n', integerBetween(1, 128)) ??
    optional(body, 'stop', stop) ??
    optional(body, 'presence_penalty', numberBetween(-2, 2)) ??
    optional(body, 'frequency_penalty', numberBetween(-2, 2)) ??
    optional(body, 'logit_bias', object) ??
    optional(body, 'logprobs', boolean) ??
    optional(body, 'top_logprobs', integerBetween(0, 20)) ??
    optional(body, 'seed', integer) ??
    optional(body, 'user', string) ??
    checkTools(body.tools) ??
    optional(body, 'tool_choice', toolChoice) ??
    optional(body, 'parallel_tool_calls', boolean) ??
    optionalObject(body, 'reasoning', (o, p) =>
      optional(o, 'effort', oneOf(REASONING_EFFORTS), p),
    ) ??
    optional(body, 'reasoning_effort', oneOf(REASONING_EFFORTS)) ??
    optionalObject(body, 'response_format', checkResponseFormat) ??
    optional(body, 'service_tier', string) ??
    optional(body, 'store', boolean) ??
    optional(body, 'metadata', object) ??
    optional(body, 'modalities', stringArray)
  );
}

type Obj = Record<string, unknown>;
/** Returns what is wrong with a value (completing "<param> …"), or null. */
type Rule = (value: unknown) => string | null;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(param: string, problem: string): GatewayError {
  return new GatewayError(ErrorCode.InvalidRequest, `Invalid value for '${param}': ${problem}.`, {
    param,
    wireCode: 'invalid_value',
  });
}

const join = (prefix: string | undefined, key: string): string =>
  prefix ? `${prefix}.${key}` : key;

function optional(o: Obj, key: string, rule: Rule, prefix?: string): GatewayError | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  const problem = rule(v);
  return problem === null ? null : fail(join(prefix, key), `${key} ${problem}`);
}

function requiredString(o: Obj, key: string, prefix?: string): GatewayError | null {
  const v = o[key];
  if (typeof v !== 'string') return fail(join(prefix, key), `${key} must be a string`);
  if (v === '') return fail(join(prefix, key), `${key} should not be empty`);
  return null;
}

function optionalObject(
  o: Obj,
  key: string,
  inner: (value: Obj, param: string) => GatewayError | null,
  prefix?: string,
): GatewayError | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  const param = join(prefix, key);
  if (!isObject(v)) return fail(param, `nested property ${key} must be either object or array`);
  return inner(v, param);
}

const string: Rule = (v) => (typeof v === 'string' ? null : 'must be a string');
const nonEmptyString: Rule = (v) =>
  typeof v !== 'string' ? 'must be a string' : v === '' ? 'should not be empty' : null;
const boolean: Rule = (v) => (typeof v === 'boolean' ? null : 'must be a boolean value');
const object: Rule = (v) => (isObject(v) ? null : 'must be an object');
const integer: Rule = (v) => (Number.isInteger(v) ? null : 'must be an integer number');
const number: Rule = (v) =>
  typeof v === 'number' && Number.isFinite(v)
    ? null
    : 'must be a number conforming to the specified constraints';
const stringArray: Rule = (v) =>
  Array.isArray(v) && v.every((s) => typeof s === 'string') ? null : 'must be an array of strings';

function numberBetween(min: number, max: number): Rule {
  return (v) =>
    number(v) ??
    ((v as number) < min
      ? `must not be less than ${min}`
      : (v as number) > max
        ? `must not be greater than ${max}`
        : null);
}
function integerAtLeast(min: number): Rule {
  return (v) => integer(v) ?? ((v as number) < min ? `must not be less than ${min}` : null);
}
function integerBetween(min: number, max: number): Rule {
  return (v) => integer(v) ?? numberBetween(min, max)(v);
}
function oneOf(values: readonly string[]): Rule {
  return (v) =>
    typeof v === 'string' && values.includes(v)
      ? null
      : `must be one of the following values: ${values.join(', ')}`;
}
const stop: Rule = (v) =>
  typeof v === 'string' ||
  (Array.isArray(v) && v.length <= 4 && v.every((s) => typeof s === 'string'))
    ? null
    : 'must be a string or an array of at most 4 strings';
const toolChoice: Rule = (v) =>
  v === 'none' ||
  v === 'auto' ||
  v === 'required' ||
  (isObject(v) &&
    v.type === 'function' &&
    isObject(v.function) &&
    typeof v.function.name === 'string' &&
    v.function.name !== '')
    ? null
    : 'must be "none", "auto", "required" or {"type":"function","function":{"name":…}}';

const FUNCTION_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;

function checkMessages(messages: unknown): GatewayError | null {
  if (!Array.isArray(messages)) return fail('messages', 'messages must be an array');
  if (messages.length === 0) return fail('messages', 'messages must contain at least 1 elements');
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    const p = `messages[${i}]`;
    if (!isObject(m)) return fail(p, 'each message must be an object');
    if (typeof m.role !== 'string' || !(ROLES as readonly string[]).includes(m.role)) {
      return fail(`${p}.role`, `role must be one of the following values: ${ROLES.join(', ')}`);
    }
    const toolCalls = m.tool_calls;
    const contentProblem = checkMessageContent(m.role, m.content, Array.isArray(toolCalls));
    if (contentProblem !== null) {
      const sep = contentProblem.startsWith('[') || contentProblem.startsWith('.') ? '' : ' ';
      return fail(`${p}.content`, `content${sep}${contentProblem}`);
    }
    const nameErr = optional(m, 'name', string, p);
    if (nameErr) return nameErr;
    if (toolCalls !== undefined && toolCalls !== null) {
      if (!Array.isArray(toolCalls)) return fail(`${p}.tool_calls`, 'tool_calls must be an array');
      for (let j = 0; j < toolCalls.length; j++) {
        const err = checkToolCall(toolCalls[j], `${p}.tool_calls[${j}]`);
        if (err) return err;
      }
    }
    if (m.role === 'tool' || m.tool_call_id !== undefined) {
      const id = m.tool_call_id;
      if (typeof id !== 'string') return fail(`${p}.tool_call_id`, 'tool_call_id must be a string');
      if (id === '') return fail(`${p}.tool_call_id`, 'tool_call_id should not be empty');
    }
    const reasoningErr =
      optional(m, 'reasoning_content', string, p) ?? optional(m, 'reasoning_signature', string, p);
    if (reasoningErr) return reasoningErr;
  }
  return null;
}

function checkToolCall(call: unknown, p: string): GatewayError | null {
  if (!isObject(call)) return fail(p, 'nested property must be either object or array');
  return (
    requiredString(call, 'id', p) ??
    (call.type === 'function'
      ? null
      : fail(`${p}.type`, 'type must be one of the following values: function')) ??
    (isObject(call.function)
      ? (requiredString(call.function, 'name', `${p}.function`) ??
        (typeof call.function.arguments === 'string'
          ? null
          : fail(`${p}.function.arguments`, 'arguments must be a string')))
      : fail(`${p}.function`, 'nested property function must be either object or array')) ??
    optional(call, 'extra_content', object, p)
  );
}

function checkTools(tools: unknown): GatewayError | null {
  if (tools === undefined || tools === null) return null;
  if (!Array.isArray(tools)) return fail('tools', 'tools must be an array');
  for (let i = 0; i < tools.length; i++) {
    const t: unknown = tools[i];
    const p = `tools[${i}]`;
    if (!isObject(t)) return fail(p, 'each tool must be an object');
    if (t.type !== 'function')
      return fail(`${p}.type`, 'type must be one of the following values: function');
    const fn = t.function;
    if (!isObject(fn))
      return fail(`${p}.function`, 'nested property function must be either object or array');
    const fp = `${p}.function`;
    if (typeof fn.name !== 'string' || !FUNCTION_NAME.test(fn.name)) {
      return fail(
        `${fp}.name`,
        'function.name must be 1-64 characters of a-z, A-Z, 0-9, _, . or -',
      );
    }
    const err =
      optional(fn, 'description', string, fp) ??
      optional(fn, 'parameters', object, fp) ??
      optional(fn, 'strict', boolean, fp);
    if (err) return err;
  }
  return null;
}

function checkResponseFormat(f: Obj, p: string): GatewayError | null {
  const type = f.type;
  if (type !== 'text' && type !== 'json_object' && type !== 'json_schema') {
    return fail(
      `${p}.type`,
      'type must be one of the following values: text, json_object, json_schema',
    );
  }
  if (type !== 'json_schema') return null;
  const schema = f.json_schema;
  if (!isObject(schema)) {
    return fail(`${p}.json_schema`, 'nested property json_schema must be either object or array');
  }
  const sp = `${p}.json_schema`;
  return (
    requiredString(schema, 'name', sp) ??
    optional(schema, 'description', string, sp) ??
    optional(schema, 'schema', object, sp) ??
    optional(schema, 'strict', boolean, sp)
  );
}
