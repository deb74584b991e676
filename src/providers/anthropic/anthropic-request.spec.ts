import type { ChatCompletionRequest } from '../../openai/chat-completion.types.js';
import { toWireError } from '../../common/errors/error-envelope.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import {
  ALL_REQUEST_CASES,
  type RequestCase,
} from '../../../test/fixtures/anthropic/request-corpus.js';
import { toAnthropicRequest } from './anthropic-request.js';

export function translate(c: RequestCase) {
  return toAnthropicRequest(c.body, {
    model: c.model ?? c.body.model,
    stream: c.stream ?? false,
    defaultMaxTokens: c.defaultMaxTokens,
  });
}

function rejection(body: Partial<ChatCompletionRequest>) {
  const full: ChatCompletionRequest = {
    model: 'claude-sonnet-4-5',
    messages: [{ role: 'user', content: 'Hi' }],
    ...body,
  };
  try {
    translate({ name: 'rejected', body: full });
  } catch (err) {
    if (err instanceof GatewayError) return toWireError(err);
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('toAnthropicRequest', () => {
  it.each(ALL_REQUEST_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(translate(c)).toMatchSnapshot();
  });

  it('always sends max_tokens', () => {
    for (const c of ALL_REQUEST_CASES) expect(translate(c).max_tokens).toBeGreaterThan(0);
  });

  it('does not modify the client body', () => {
    for (const c of ALL_REQUEST_CASES) {
      const before = structuredClone(c.body);
      translate(c);
      expect(c.body).toEqual(before);
    }
  });

  it.each([
    ['n > 1', { n: 2 }, 'n', 'unsupported_parameter'],
    ['logprobs', { logprobs: true }, 'logprobs', 'unsupported_parameter'],
    ['top_logprobs', { top_logprobs: 3 }, 'top_logprobs', 'unsupported_parameter'],
    ['logit_bias', { logit_bias: { '50256': -100 } }, 'logit_bias', 'unsupported_parameter'],
    [
      'audio output',
      { audio: { voice: 'alloy', format: 'mp3' } },
      'audio',
      'unsupported_parameter',
    ],
    [
      'the audio modality',
      { modalities: ['text', 'audio'] },
      'modalities',
      'unsupported_parameter',
    ],
    [
      'web_search_options',
      { web_search_options: {} },
      'web_search_options',
      'unsupported_parameter',
    ],
    ['legacy functions', { functions: [{ name: 'f' }] }, 'functions', 'unsupported_parameter'],
    ['legacy function_call', { function_call: 'auto' }, 'function_call', 'unsupported_parameter'],
    [
      'JSON mode without a schema',
      { response_format: { type: 'json_object' } },
      'response_format',
      'unsupported_parameter',
    ],
    [
      'a json_schema format without a schema',
      { response_format: { type: 'json_schema', json_schema: { name: 'x' } } },
      'response_format.json_schema.schema',
      'invalid_value',
    ],
    ['service_tier flex', { service_tier: 'flex' }, 'service_tier', 'unsupported_parameter'],
    ['temperature above 1', { temperature: 1.5 }, 'temperature', 'invalid_value'],
    [
      'a temperature other than 1 while reasoning',
      { temperature: 0.5, reasoning_effort: 'low' },
      'temperature',
      'unsupported_parameter',
    ],
    [
      'a forced tool choice while reasoning',
      {
        reasoning_effort: 'high',
        tools: [{ type: 'function', function: { name: 'f' } }],
        tool_choice: 'required',
      },
      'tool_choice',
      'unsupported_parameter',
    ],
    ['a user id over 512 characters', { user: 'u'.repeat(513) }, 'user', 'invalid_value'],
  ] as Array<[string, Partial<ChatCompletionRequest>, string, string]>)(
    'rejects %s with a 400 naming the parameter',
    (_what, body, param, code) => {
      const wire = rejection(body);
      expect(wire.status).toBe(400);
      expect(wire.body.error).toMatchObject({ type: 'invalid_request_error', param, code });
    },
  );
});
