import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { validationFailure } from '../../common/validation/request-validation.pipe.js';
import { ChatCompletionRequestDto } from './chat-completion-request.dto.js';
import { validateChatRequest } from './chat-request.validator.js';

/** What class-validator, driven by the DTO's decorators, says about a body. */
function byDecorators(body: object): string | null {
  const errors = validateSync(plainToInstance(ChatCompletionRequestDto, body), {
    forbidUnknownValues: false,
    stopAtFirstError: true,
  });
  return errors.length === 0 ? 'ok' : validationFailure(errors).param;
}

function byFastPath(body: object): string | null {
  const err = validateChatRequest(body);
  return err === null ? 'ok' : err.param;
}

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

// Each invalid body: one field broken in a way a client plausibly sends.
const broken: Array<[string, object]> = [
  ['no model', { messages: base.messages }],
  ['model not a string', { ...base, model: 42 }],
  ['empty model', { ...base, model: '' }],
  ['messages missing', { model: 'm' }],
  ['messages not an array', { ...base, messages: 'hi' }],
  ['messages empty', { ...base, messages: [] }],
  ['bad role', { ...base, messages: [{ role: 'bot', content: 'x' }] }],
  ['role missing', { ...base, messages: [{ content: 'x' }] }],
  ['user content missing', { ...base, messages: [{ role: 'user' }] }],
  ['content a number', { ...base, messages: [{ role: 'user', content: 1 }] }],
  [
    'image part without url',
    { ...base, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] },
  ],
  [
    'image part in a system message',
    {
      ...base,
      messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
    },
  ],
  [
    'unknown part type',
    { ...base, messages: [{ role: 'user', content: [{ type: 'video', video: {} }] }] },
  ],
  ['name not a string', { ...base, messages: [{ role: 'user', content: 'x', name: 5 }] }],
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
  ],
  [
    'tool call function missing',
    { ...base, messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function' }] }] },
  ],
  ['tool message without id', { ...base, messages: [{ role: 'tool', content: 'x' }] }],
  ['tool_call_id empty', { ...base, messages: [{ role: 'tool', content: 'x', tool_call_id: '' }] }],
  [
    'reasoning_content not a string',
    { ...base, messages: [{ role: 'assistant', content: 'x', reasoning_content: 1 }] },
  ],
  [
    'reasoning_signature not a string',
    { ...base, messages: [{ role: 'assistant', content: 'x', reasoning_signature: {} }] },
  ],
  ['provider empty', { ...base, provider: '' }],
  ['stream a string', { ...base, stream: 'true' }],
  ['include_usage a string', { ...base, stream_options: { include_usage: 'yes' } }],
  ['max_tokens zero', { ...base, max_tokens: 0 }],
  ['max_tokens fractional', { ...base, max_tokens: 2.5 }],
  ['max_completion_tokens a string', { ...base, max_completion_tokens: '5' }],
  ['temperature too high', { ...base, temperature: 2.5 }],
  ['temperature negative', { ...base, temperature: -1 }],
  ['top_p too high', { ...base, top_p: 1.5 }],
  ['n zero', { ...base, n: 0 }],
  ['n too large', { ...base, n: 129 }],
  ['stop too many', { ...base, stop: ['a', 'b', 'c', 'd', 'e'] }],
  ['stop a number', { ...base, stop: 3 }],
  ['presence_penalty out of range', { ...base, presence_penalty: 3 }],
  ['frequency_penalty a string', { ...base, frequency_penalty: 'high' }],
  ['logit_bias an array', { ...base, logit_bias: [1] }],
  ['logprobs a string', { ...base, logprobs: 'yes' }],
  ['top_logprobs too high', { ...base, top_logprobs: 21 }],
  ['seed fractional', { ...base, seed: 1.5 }],
  ['user a number', { ...base, user: 9 }],
  ['tools not an array', { ...base, tools: { type: 'function' } }],
  ['tool wrong type', { ...base, tools: [{ type: 'retrieval', function: { name: 'f' } }] }],
  [
    'tool name with spaces',
    { ...base, tools: [{ type: 'function', function: { name: 'get weather' } }] },
  ],
  [
    'tool name too long',
    { ...base, tools: [{ type: 'function', function: { name: 'x'.repeat(65) } }] },
  ],
  [
    'tool parameters a string',
    { ...base, tools: [{ type: 'function', function: { name: 'f', parameters: '{}' } }] },
  ],
  ['tool without function', { ...base, tools: [{ type: 'function' }] }],
  ['json_schema missing', { ...base, response_format: { type: 'json_schema' } }],
  ['tool_choice unknown word', { ...base, tool_choice: 'any' }],
  ['tool_choice object without name', { ...base, tool_choice: { type: 'function', function: {} } }],
  ['parallel_tool_calls a string', { ...base, parallel_tool_calls: 'no' }],
  ['reasoning effort unknown', { ...base, reasoning: { effort: 'max' } }],
  ['reasoning_effort unknown', { ...base, reasoning_effort: 'extreme' }],
  ['response_format type unknown', { ...base, response_format: { type: 'xml' } }],
  [
    'json_schema without name',
    { ...base, response_format: { type: 'json_schema', json_schema: { schema: {} } } },
  ],
  ['store a string', { ...base, store: 'yes' }],
  ['metadata a string', { ...base, metadata: 'x' }],
  ['modalities with a number', { ...base, modalities: ['text', 1] }],
];

describe('validateChatRequest agrees with the DTO decorators', () => {
  it.each(valid.map((b, i) => [i, b]))('accepts valid body #%i, as the DTO does', (_i, body) => {
    expect(byDecorators(body)).toBe('ok');
    expect(byFastPath(body)).toBe('ok');
  });

  it.each(broken)('%s: both reject it, naming the same param', (_name, body) => {
    const expected = byDecorators(body);
    expect(expected).not.toBe('ok');
    expect(byFastPath(body)).toBe(expected);
  });

  it('rejects a body that is not an object', () => {
    expect(validateChatRequest([1])?.message).toBe('The request body must be a JSON object.');
  });
});
