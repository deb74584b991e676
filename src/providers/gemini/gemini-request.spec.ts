import type { ChatCompletionRequest } from '../../openai/chat-completion.types.js';
import { ErrorCode } from '../../common/errors/gateway-error.js';
import { toGeminiRequest } from './gemini-request.js';

const base: ChatCompletionRequest = {
  model: 'gemini/gemini-2.5-flash',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Name three clouds.' },
  ],
};

describe('toGeminiRequest', () => {
  it('sends just the contents for a bare request', () => {
    expect(
      toGeminiRequest(
        { model: 'x', messages: [{ role: 'user', content: 'hi' }] },
        'gemini-2.5-flash',
      ),
    ).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
    });
  });

  it('maps every supported parameter (snapshot of the upstream body)', () => {
    const body: ChatCompletionRequest = {
      ...base,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 999,
      max_completion_tokens: 512,
      temperature: 0.4,
      top_p: 0.9,
      n: 2,
      stop: ['END', '###'],
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: -0.25,
      user: 'user-123',
      parallel_tool_calls: true,
      service_tier: 'auto',
      store: false,
      metadata: { team: 'a' },
      vendor_knob: { depth: 3 },
      tools: [
        {
          type: 'function',
          function: {
            name: 'classify',
            description: 'Classify a cloud',
            parameters: {
              type: 'object',
              properties: { name: { type: 'string' } },
              required: ['name'],
            },
          },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'classify' } },
      reasoning_effort: 'low',
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'clouds',
          strict: true,
          schema: {
            type: 'object',
            properties: { clouds: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
    };
    expect(toGeminiRequest(body, 'gemini-2.5-flash')).toMatchSnapshot();
  });

  it('prefers max_completion_tokens and falls back to max_tokens', () => {
    expect(
      toGeminiRequest({ ...base, max_tokens: 64 }, 'gemini-2.5-flash').generationConfig,
    ).toEqual({
      maxOutputTokens: 64,
    });
    expect(
      toGeminiRequest({ ...base, max_tokens: 64, max_completion_tokens: 32 }, 'gemini-2.5-flash')
        .generationConfig,
    ).toEqual({ maxOutputTokens: 32 });
  });

  it('wraps a single stop string and ignores nulls', () => {
    expect(
      toGeminiRequest({ ...base, stop: 'END', temperature: null, seed: null }, 'gemini-2.5-flash')
        .generationConfig,
    ).toEqual({ stopSequences: ['END'] });
  });

  it('maps JSON mode to responseMimeType', () => {
    expect(
      toGeminiRequest({ ...base, response_format: { type: 'json_object' } }, 'gemini-2.5-flash')
        .generationConfig,
    ).toEqual({ responseMimeType: 'application/json' });
    expect(
      toGeminiRequest({ ...base, response_format: { type: 'text' } }, 'gemini-2.5-flash'),
    ).not.toHaveProperty('generationConfig');
  });

  it('maps reasoning effort per model family, never with both knobs', () => {
    const g3 = toGeminiRequest({ ...base, reasoning: { effort: 'high' } }, 'gemini-3-pro-preview');
    expect(g3.generationConfig).toEqual({
      thinkingConfig: { includeThoughts: true, thinkingLevel: 'high' },
    });
    const g25 = toGeminiRequest({ ...base, reasoning_effort: 'medium' }, 'gemini-2.5-pro');
    expect(g25.generationConfig).toEqual({
      thinkingConfig: { includeThoughts: true, thinkingBudget: 8192 },
    });
  });

  it('names the parameter the effort came from when rejecting it', () => {
    expect(() =>
      toGeminiRequest({ ...base, reasoning: { effort: 'xhigh' } }, 'gemini-3-pro-preview'),
    ).toThrow(expect.objectContaining({ param: 'reasoning.effort' }));
    expect(() =>
      toGeminiRequest({ ...base, reasoning_effort: 'none' }, 'gemini-3-pro-preview'),
    ).toThrow(expect.objectContaining({ param: 'reasoning_effort' }));
  });

  it.each([
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { top_logprobs: 3 }],
    ['logit_bias', { logit_bias: { '50256': -100 } }],
    ['functions', { functions: [{ name: 'f' }] }],
    ['function_call', { function_call: 'auto' }],
    ['audio', { audio: { voice: 'alloy', format: 'mp3' } }],
    ['modalities', { modalities: ['text', 'audio'] }],
    ['web_search_options', { web_search_options: {} }],
  ])('rejects %s with a 400 naming it', (param, extra) => {
    expect(() => toGeminiRequest({ ...base, ...extra }, 'gemini-2.5-flash')).toThrow(
      expect.objectContaining({ code: ErrorCode.Unsupported, param }),
    );
  });

  it('lets harmless values of those parameters through, adding nothing to the request', () => {
    expect(
      toGeminiRequest(
        { ...base, logprobs: false, logit_bias: {}, modalities: ['text'] },
        'gemini-2.5-flash',
      ),
    ).toEqual(toGeminiRequest(base, 'gemini-2.5-flash'));
  });

  it('rejects a seed Gemini cannot hold instead of truncating it', () => {
    expect(() => toGeminiRequest({ ...base, seed: 2 ** 40 }, 'gemini-2.5-flash')).toThrow(
      expect.objectContaining({ param: 'seed' }),
    );
    expect(
      toGeminiRequest({ ...base, seed: -(2 ** 31) }, 'gemini-2.5-flash').generationConfig,
    ).toEqual({
      seed: -(2 ** 31),
    });
  });
});
