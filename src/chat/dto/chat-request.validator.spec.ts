// The plugin metadata imports every DTO and controller module at once; loading the app's
// module graph first keeps the test runner's ES module cache from racing on them.
import '../../app.module.js';
import fc from 'fast-check';
import { getMetadataStorage } from 'class-validator';
import type { SchemaObject } from '@nestjs/swagger';
import { validatorOf, type FastValidator } from '../../common/validation/validated-by.decorator.js';
import { dtoSchemas } from '../../openapi/dto-schema.js';
import * as requestDtos from './chat-completion-request.dto.js';
import { ChatCompletionRequestDto } from './chat-completion-request.dto.js';
import * as partDtos from './content-part.dto.js';

let validate: FastValidator;
let schemas: Record<string, SchemaObject>;
let root: string;

beforeAll(async () => {
  validate = await (validatorOf(ChatCompletionRequestDto) as Promise<FastValidator>);
  ({ root, schemas } = await dtoSchemas(ChatCompletionRequestDto));
});

const base = {
  model: 'openai/gpt-4o-mini',
  messages: [
    { role: 'system', content: 'be brief' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'hi' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==', detail: 'low' } },
      ],
    },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id: 'call_1',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
        },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: '{"temp":3}' },
  ],
};

const valid: object[] = [
  base,
  { ...base, stream: true, stream_options: { include_usage: true } },
  {
    ...base,
    temperature: 0,
    top_p: 1,
    n: 2,
    max_tokens: 10,
    max_completion_tokens: 5,
    seed: 7,
    user: 'u',
  },
  {
    ...base,
    stop: ['a', 'b'],
    presence_penalty: -2,
    frequency_penalty: 2,
    logit_bias: { '50256': -100 },
    logprobs: true,
    top_logprobs: 3,
  },
  {
    ...base,
    tools: [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'd',
          parameters: { type: 'object' },
          strict: true,
        },
      },
    ],
  },
  { ...base, tool_choice: 'required', parallel_tool_calls: false },
  { ...base, tool_choice: { type: 'function', function: { name: 'get_weather' } } },
  { ...base, reasoning: { effort: 'high' }, reasoning_effort: 'low' },
  {
    ...base,
    response_format: {
      type: 'json_schema',
      json_schema: { name: 'x', schema: { type: 'object' }, strict: true },
    },
  },
  {
    ...base,
    response_format: { type: 'json_object' },
    service_tier: 'auto',
    store: false,
    metadata: { a: 'b' },
    modalities: ['text'],
  },
  { ...base, temperature: null, stop: null, tools: null, provider: 'openai' },
  { ...base, unknown_future_field: { anything: [1, 2] } },
  {
    model: 'm',
    messages: [
      { role: 'developer', content: 'x' },
      {
        role: 'user',
        content: [{ type: 'input_audio', input_audio: { data: 'AA', format: 'wav' } }],
      },
    ],
  },
  {
    model: 'm',
    messages: [
      { role: 'user', content: [{ type: 'file', file: { file_id: 'f1' } }] },
      { role: 'assistant', content: [{ type: 'refusal', refusal: 'no' }] },
    ],
  },
];

// Each invalid body: one field broken in a way a client plausibly sends, and the param
// the 400 names (as the hand-written validator this one replaced did, but `modalities[1]`).
const broken: Array<[string, object, string]> = [
  ['no model', { messages: base.messages }, 'model'],
  ['model not a string', { ...base, model: 42 }, 'model'],
  ['empty model', { ...base, model: '' }, 'model'],
  ['messages missing', { model: 'm' }, 'messages'],
  ['messages not an array', { ...base, messages: 'hi' }, 'messages'],
  ['messages empty', { ...base, messages: [] }, 'messages'],
  ['message not an object', { ...base, messages: ['hi'] }, 'messages[0]'],
  ['bad role', { ...base, messages: [{ role: 'bot', content: 'x' }] }, 'messages[0].role'],
  ['role missing', { ...base, messages: [{ content: 'x' }] }, 'messages[0].role'],
  ['user content missing', { ...base, messages: [{ role: 'user' }] }, 'messages[0].content'],
  [
    'user content null',
    { ...base, messages: [{ role: 'user', content: null }] },
    'messages[0].content',
  ],
  [
    'content a number',
    { ...base, messages: [{ role: 'user', content: 1 }] },
    'messages[0].content',
  ],
  [
    'content an empty array',
    { ...base, messages: [{ role: 'user', content: [] }] },
    'messages[0].content',
  ],
  [
    'image part without url',
    { ...base, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] },
    'messages[0].content',
  ],
  [
    'image part with an empty url',
    {
      ...base,
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: '' } }] }],
    },
    'messages[0].content',
  ],
  [
    'image detail unknown',
    {
      ...base,
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'x', detail: 'max' } }] },
      ],
    },
    'messages[0].content',
  ],
  [
    'image part in a system message',
    {
      ...base,
      messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
    },
    'messages[0].content',
  ],
  [
    'refusal part in a user message',
    { ...base, messages: [{ role: 'user', content: [{ type: 'refusal', refusal: 'no' }] }] },
    'messages[0].content',
  ],
  [
    'unknown part type',
    { ...base, messages: [{ role: 'user', content: [{ type: 'video', video: {} }] }] },
    'messages[0].content',
  ],
  [
    'audio part without format',
    {
      ...base,
      messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AA' } }] }],
    },
    'messages[0].content',
  ],
  [
    'file part without data or id',
    { ...base, messages: [{ role: 'user', content: [{ type: 'file', file: { filename: 'a' } }] }] },
    'messages[0].content',
  ],
  [
    'name not a string',
    { ...base, messages: [{ role: 'user', content: 'x', name: 5 }] },
    'messages[0].name',
  ],
  [
    'tool call without id',
    {
      ...base,
      messages: [
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
      ],
    },
    'messages[0].tool_calls[0].id',
  ],
  [
    'tool call wrong type',
    {
      ...base,
      messages: [
        {
          role: 'assistant',
          tool_calls: [{ id: 'c', type: 'fn', function: { name: 'f', arguments: '{}' } }],
        },
      ],
    },
    'messages[0].tool_calls[0].type',
  ],
  [
    'tool call arguments an object',
    {
      ...base,
      messages: [
        {
          role: 'assistant',
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }],
        },
      ],
    },
    'messages[0].tool_calls[0].function.arguments',
  ],
  [
    'tool call function missing',
    { ...base, messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function' }] }] },
    'messages[0].tool_calls[0].function',
  ],
  [
    'tool message without id',
    { ...base, messages: [{ role: 'tool', content: 'x' }] },
    'messages[0].tool_call_id',
  ],
  [
    'tool_call_id empty',
    { ...base, messages: [{ role: 'tool', content: 'x', tool_call_id: '' }] },
    'messages[0].tool_call_id',
  ],
  [
    'reasoning_content not a string',
    { ...base, messages: [{ role: 'assistant', content: 'x', reasoning_content: 1 }] },
    'messages[0].reasoning_content',
  ],
  [
    'reasoning_signature not a string',
    { ...base, messages: [{ role: 'assistant', content: 'x', reasoning_signature: {} }] },
    'messages[0].reasoning_signature',
  ],
  ['provider empty', { ...base, provider: '' }, 'provider'],
  ['stream a string', { ...base, stream: 'true' }, 'stream'],
  [
    'include_usage a string',
    { ...base, stream_options: { include_usage: 'yes' } },
    'stream_options.include_usage',
  ],
  ['stream_options a string', { ...base, stream_options: 'usage' }, 'stream_options'],
  ['max_tokens zero', { ...base, max_tokens: 0 }, 'max_tokens'],
  ['max_tokens fractional', { ...base, max_tokens: 2.5 }, 'max_tokens'],
  [
    'max_completion_tokens a string',
    { ...base, max_completion_tokens: '5' },
    'max_completion_tokens',
  ],
  ['temperature too high', { ...base, temperature: 2.5 }, 'temperature'],
  ['temperature negative', { ...base, temperature: -1 }, 'temperature'],
  ['top_p too high', { ...base, top_p: 1.5 }, 'top_p'],
  ['n zero', { ...base, n: 0 }, 'n'],
  ['n too large', { ...base, n: 129 }, 'n'],
  ['stop too many', { ...base, stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
  ['stop a number', { ...base, stop: 3 }, 'stop'],
  ['presence_penalty out of range', { ...base, presence_penalty: 3 }, 'presence_penalty'],
  ['frequency_penalty a string', { ...base, frequency_penalty: 'high' }, 'frequency_penalty'],
  ['logit_bias an array', { ...base, logit_bias: [1] }, 'logit_bias'],
  ['logprobs a string', { ...base, logprobs: 'yes' }, 'logprobs'],
  ['top_logprobs too high', { ...base, top_logprobs: 21 }, 'top_logprobs'],
  ['seed fractional', { ...base, seed: 1.5 }, 'seed'],
  ['user a number', { ...base, user: 9 }, 'user'],
  ['tools not an array', { ...base, tools: { type: 'function' } }, 'tools'],
  [
    'tool wrong type',
    { ...base, tools: [{ type: 'retrieval', function: { name: 'f' } }] },
    'tools[0].type',
  ],
  [
    'tool name with spaces',
    { ...base, tools: [{ type: 'function', function: { name: 'get weather' } }] },
    'tools[0].function.name',
  ],
  [
    'tool name too long',
    { ...base, tools: [{ type: 'function', function: { name: 'x'.repeat(65) } }] },
    'tools[0].function.name',
  ],
  [
    'tool parameters a string',
    { ...base, tools: [{ type: 'function', function: { name: 'f', parameters: '{}' } }] },
    'tools[0].function.parameters',
  ],
  ['tool without function', { ...base, tools: [{ type: 'function' }] }, 'tools[0].function'],
  [
    'json_schema missing',
    { ...base, response_format: { type: 'json_schema' } },
    'response_format.json_schema',
  ],
  ['tool_choice unknown word', { ...base, tool_choice: 'any' }, 'tool_choice'],
  [
    'tool_choice object without name',
    { ...base, tool_choice: { type: 'function', function: {} } },
    'tool_choice',
  ],
  ['tool_choice a number', { ...base, tool_choice: 1 }, 'tool_choice'],
  ['parallel_tool_calls a string', { ...base, parallel_tool_calls: 'no' }, 'parallel_tool_calls'],
  ['reasoning effort unknown', { ...base, reasoning: { effort: 'max' } }, 'reasoning.effort'],
  ['reasoning_effort unknown', { ...base, reasoning_effort: 'extreme' }, 'reasoning_effort'],
  [
    'response_format type unknown',
    { ...base, response_format: { type: 'xml' } },
    'response_format.type',
  ],
  [
    'json_schema without name',
    { ...base, response_format: { type: 'json_schema', json_schema: { schema: {} } } },
    'response_format.json_schema.name',
  ],
  ['store a string', { ...base, store: 'yes' }, 'store'],
  ['metadata a string', { ...base, metadata: 'x' }, 'metadata'],
  ['modalities with a number', { ...base, modalities: ['text', 1] }, 'modalities[1]'],
];

describe('the chat request validator derived from the DTO', () => {
  it.each(valid.map((b, i) => [i, b]))('accepts valid body #%i', (_i, body) => {
    expect(validate(body)).toBeNull();
  });

  it.each(broken)('%s: rejected, naming the param', (_name, body, param) => {
    const err = validate(body);
    expect(err).not.toBeNull();
    expect(err?.param).toBe(param);
    expect(err?.message).toMatch(new RegExp(`^Invalid value for '${escape(param)}': .+\\.$`));
    expect(err?.wireCode).toBe('invalid_value');
  });

  it.each([
    [{ ...base, model: 42 }, "Invalid value for 'model': model must be a string."],
    [{ messages: base.messages }, "Invalid value for 'model': model is required."],
    [
      { ...base, messages: [] },
      "Invalid value for 'messages': messages must contain at least 1 elements.",
    ],
    [
      { ...base, messages: [{ role: 'user', content: 1 }] },
      "Invalid value for 'messages[0].content': content must be a string or an array of content parts.",
    ],
    [
      { ...base, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] },
      "Invalid value for 'messages[0].content': content[0].image_url.url is required.",
    ],
    [
      {
        ...base,
        messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
      },
      "Invalid value for 'messages[0].content': content[0].type must be one of text.",
    ],
    [
      { ...base, messages: [{ role: 'tool', content: 'x' }] },
      'Invalid value for \'messages[0].tool_call_id\': tool_call_id is required for role "tool".',
    ],
    [
      { ...base, max_tokens: 2.5 },
      "Invalid value for 'max_tokens': max_tokens must be an integer number.",
    ],
    [
      { ...base, temperature: 2.5 },
      "Invalid value for 'temperature': temperature must not be greater than 2.",
    ],
    [
      { ...base, stop: 3 },
      "Invalid value for 'stop': stop must be a string or an array of at most 4 strings.",
    ],
    [
      { ...base, tool_choice: 'any' },
      "Invalid value for 'tool_choice': tool_choice must be one of the following values: none, auto, required.",
    ],
    [
      { ...base, tool_choice: { type: 'function', function: {} } },
      "Invalid value for 'tool_choice': tool_choice.function.name is required.",
    ],
    [
      { ...base, stream_options: { include_usage: 'yes' } },
      "Invalid value for 'stream_options.include_usage': include_usage must be a boolean value.",
    ],
    [
      { ...base, tools: [{ type: 'function', function: { name: 'get weather' } }] },
      "Invalid value for 'tools[0].function.name': name must match ^[a-zA-Z0-9_.-]{1,64}$ (1-64 characters of a-z, A-Z, 0-9, underscores, dots and dashes).",
    ],
  ])('explains a broken body: %#', (body, message) => {
    expect(validate(body)?.message).toBe(message);
  });

  it('reads null optionals as unset, so no translator meets a null (tool_choice: null reached Anthropic as a TypeError)', () => {
    const body = {
      model: 'm',
      provider: null,
      tool_choice: null,
      stop: null,
      tools: [{ type: 'function', function: { name: 'f', description: null, parameters: null } }],
      messages: [
        { role: 'user', content: 'hi', name: null },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
      ],
    };
    expect(validate(body)).toBeNull();
    expect(body).toEqual({
      model: 'm',
      tools: [{ type: 'function', function: { name: 'f' } }],
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
      ],
    });
    expect(
      validate({ model: 'm', messages: [{ role: 'tool', content: 'x', tool_call_id: null }] }),
    ).toMatchObject({
      param: 'messages[0].tool_call_id',
    });
  });

  it('rejects a body that is not an object', () => {
    expect(validate([1])).toMatchObject({
      message: 'The request body must be an object.',
      param: null,
    });
  });
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/*
 * Adding a parameter to the DTO is the only edit: these tests walk the DTO's own schema (as
 * the OpenAPI document serves it), so a new property is covered without being listed here.
 * For every property, at any depth: a value built from its schema is accepted, and each
 * way the schema says a value can be wrong is rejected, naming that property (or the field
 * holding it, for a field that takes several forms).
 */
describe('every property of the DTO schema', () => {
  interface Schema {
    $ref?: string;
    type?: string;
    enum?: unknown[];
    oneOf?: Schema[];
    allOf?: Schema[];
    items?: Schema;
    properties?: Record<string, Schema>;
    required?: string[];
    nullable?: boolean;
    minimum?: number;
    [keyword: string]: unknown;
  }
  const ANNOTATIONS = new Set(['description', 'title', 'discriminator', 'example']);

  const resolve = (s: Schema): Schema =>
    s.$ref ? resolve(schemas[s.$ref.slice(s.$ref.lastIndexOf('/') + 1)] as Schema) : s;

  /** A valid value: every property present, the first form of each choice. */
  function validValue(s: Schema): unknown {
    const r = resolve(s);
    if (r.oneOf) return validValue(r.oneOf[0]);
    if (r.allOf) return validValue(r.allOf[0]);
    if (r.enum) return r.enum[0];
    switch (r.type) {
      case 'string':
        return 'a';
      case 'integer':
        return r.minimum ?? 1;
      case 'number':
        return r.minimum ?? 0.5;
      case 'boolean':
        return true;
      case 'array':
        return [validValue(r.items as Schema)];
      case undefined:
      default:
        return Object.fromEntries(
          Object.entries(r.properties ?? {}).map(([k, v]) => [k, validValue(v)]),
        );
    }
  }

  /** Values the schema rejects, one per constraint; fails on a keyword it cannot break. */
  function invalidValues(s: Schema): Array<[string, unknown]> {
    const r = resolve(s);
    if (r.allOf) {
      const inner = invalidValues(r.allOf[0]);
      return r.nullable === true ? inner.filter(([how]) => how !== 'null') : inner;
    }
    const out: Array<[string, unknown]> = [];
    // OpenAPI 3.0 says nullable beside a type: on a choice, one of its forms carries it.
    const nullable = r.nullable === true || (r.oneOf ?? []).some((f) => f.nullable === true);
    if (!nullable) out.push(['null', null]);
    for (const key of Object.keys(r)) {
      const v = (r as Record<string, unknown>)[key];
      switch (key) {
        case 'type':
          out.push([`not ${String(v)}`, v === 'string' ? 42 : 'x']);
          if (v === 'integer') out.push(['fractional', 1.5]);
          break;
        case 'enum':
          out.push(['not listed', 'not-a-listed-value']);
          break;
        case 'minimum':
          out.push(['below minimum', (v as number) - 1]);
          break;
        case 'maximum':
          out.push(['above maximum', (v as number) + 1]);
          break;
        case 'minLength':
          out.push(['too short', 'a'.repeat((v as number) - 1)]);
          break;
        case 'maxLength':
          out.push(['too long', 'a'.repeat((v as number) + 1)]);
          break;
        case 'pattern':
          out.push(['off pattern', ' ?'.repeat(40)]);
          break;
        case 'minItems':
          out.push(['too few items', []]);
          break;
        case 'maxItems':
          out.push([
            'too many items',
            Array.from({ length: (v as number) + 1 }, () => validValue(r.items as Schema)),
          ]);
          break;
        case 'oneOf':
          out.push(['none of its forms', 42.5]);
          break;
        case 'additionalProperties':
          if (typeof v === 'object') out.push(['a bad entry', { k: { nested: true } }]);
          break;
        case 'properties':
        case 'required':
        case 'items':
        case 'nullable':
          break;
        default:
          if (!ANNOTATIONS.has(key))
            throw new Error(`no invalid value for keyword ${key}: add one`);
      }
    }
    return out;
  }

  // Optional in the schema, required by checkChatRules for the generated body's role.
  const REQUIRED_BY_RULE = new Set(['messages[0].content']);

  type Leaf = { path: Array<string | number>; schema: Schema; required: boolean };

  /** Every property reachable from the root, through objects, array items and $refs. */
  function leaves(s: Schema, path: Array<string | number>, seen: Set<string>): Leaf[] {
    const r = resolve(s);
    const out: Leaf[] = [];
    if (r.allOf) return leaves(r.allOf[0], path, seen);
    if (r.type === 'array' && r.items) {
      const items = r.items;
      if (!items.oneOf) out.push(...leaves(items, [...path, 0], seen));
      return out;
    }
    for (const [key, prop] of Object.entries(r.properties ?? {})) {
      const p = [...path, key];
      out.push({ path: p, schema: prop, required: (r.required ?? []).includes(key) });
      const ref = prop.$ref ?? prop.allOf?.[0]?.$ref;
      if (ref && seen.has(ref)) continue;
      out.push(...leaves(prop, p, ref ? new Set([...seen, ref]) : seen));
    }
    return out;
  }

  function withValue(body: unknown, path: Array<string | number>, value: unknown): unknown {
    const copy = structuredClone(body) as Record<string | number, unknown>;
    let at = copy;
    for (const step of path.slice(0, -1)) at = at[step] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    if (value === undefined) delete at[last];
    else at[last] = value;
    return copy;
  }

  /** The error names the property, a spot inside it, or the field holding it. */
  const related = (param: string, named: string | null | undefined): boolean =>
    !!named &&
    [param, named].some((a) => {
      const b = a === param ? named : param;
      return a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
    });

  const render = (path: Array<string | number>): string =>
    path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

  it('covers the whole request, nested DTOs and content parts included', () => {
    const paths = leaves({ $ref: `#/components/schemas/${root}` }, [], new Set()).map((l) =>
      render(l.path),
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        'model',
        'messages[0].role',
        'messages[0].tool_calls[0].function.arguments',
        'tools[0].function.name',
        'response_format.json_schema.name',
        'logit_bias',
        'modalities',
      ]),
    );
  });

  it('accepts a value built from each property schema and rejects each way of breaking it', () => {
    const rootSchema = { $ref: `#/components/schemas/${root}` } as Schema;
    const body = validValue(rootSchema);
    expect(validate(body)).toBeNull();
    let checked = 0;
    for (const leaf of leaves(rootSchema, [], new Set())) {
      const param = render(leaf.path);
      const ok = withValue(body, leaf.path, validValue(leaf.schema));
      expect({ param, error: validate(ok)?.message ?? null }).toEqual({ param, error: null });
      const cases = invalidValues(leaf.schema);
      if (leaf.required) cases.push(['missing', undefined]);
      else if (!REQUIRED_BY_RULE.has(param))
        expect({ param, absent: validate(withValue(body, leaf.path, undefined)) }).toEqual({
          param,
          absent: null,
        });
      for (const [how, value] of cases) {
        const err = validate(withValue(body, leaf.path, value));
        expect({ param, how, rejected: err !== null }).toEqual({ param, how, rejected: true });
        expect({ param, how, named: related(param, err?.param) }).toEqual({
          param,
          how,
          named: true,
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('every class-validator rule on the chat DTOs is one the schema carries', () => {
    // Rules the plugin or loadDtoMetadata turn into schema keywords; ValidateIf conditions
    // are checkChatRules' (json_schema with type json_schema, tool_call_id for tool messages).
    const carried = new Set([
      'isString',
      'isBoolean',
      'isNumber',
      'isInt',
      'isIn',
      'min',
      'max',
      'matches',
      'arrayMinSize',
      'isNotEmpty',
      'isArray',
      'isObject',
      'isOptional',
      'isDefined',
      'nestedValidation',
      'conditionalValidation',
    ]);
    const classes = (
      [...Object.values(requestDtos), ...Object.values(partDtos)] as unknown[]
    ).filter((v): v is abstract new () => unknown => typeof v === 'function');
    const rules = classes.flatMap((cls) =>
      getMetadataStorage()
        .getTargetValidationMetadatas(cls, '', true, false)
        .map((m) => `${cls.name}.${m.propertyName}: ${m.name ?? m.type}`),
    );
    expect(rules.length).toBeGreaterThan(50);
    expect(rules.filter((r) => !carried.has(r.slice(r.indexOf(': ') + 2)))).toEqual([]);
  });
});

describe('invariants', () => {
  const declared = () => new Set(Object.keys(schemas[root]?.properties ?? {}));

  it('fields the DTO does not declare are accepted, whatever they hold', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue()),
        (extra) => {
          const unknown = Object.fromEntries(
            Object.entries(extra).filter(([k]) => !declared().has(k) && k !== '__proto__'),
          );
          expect(validate({ ...valid[0], ...unknown })).toBeNull();
        },
      ),
    );
  });

  it('any JSON object gets null or one 400 naming a param, never a throw', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            model: fc.oneof(fc.string(), fc.jsonValue()),
            messages: fc.oneof(
              fc.array(
                fc.record(
                  {
                    role: fc.constantFrom('user', 'assistant', 'tool', 'system', 'x'),
                    content: fc.jsonValue(),
                    tool_calls: fc.jsonValue(),
                    tool_call_id: fc.jsonValue(),
                  },
                  { requiredKeys: ['role'] },
                ),
              ),
              fc.jsonValue(),
            ),
            temperature: fc.jsonValue(),
            stop: fc.jsonValue(),
            tool_choice: fc.jsonValue(),
            tools: fc.jsonValue(),
            response_format: fc.jsonValue(),
          },
          { requiredKeys: [] },
        ),
        (body) => {
          const err = validate(body);
          if (err === null) return;
          expect(err.param).toEqual(expect.any(String));
          expect(err.message.startsWith(`Invalid value for '${err.param}': `)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
