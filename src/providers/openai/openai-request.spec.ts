import { toOpenAIRequestBody } from './openai-request.js';

describe('toOpenAIRequestBody', () => {
  const body = {
    model: 'groq/llama',
    provider: 'groq',
    messages: [{ role: 'user' as const, content: 'hi' }],
    temperature: 0.5,
    some_future_param: { a: 1 },
  };

  it('drops the routing hint, sets the upstream model and forwards unknown fields unchanged', () => {
    expect(toOpenAIRequestBody(body, 'llama', false)).toEqual({
      model: 'llama',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.5,
      some_future_param: { a: 1 },
    });
  });

  it('always asks a stream for usage, keeping other stream options', () => {
    const out = toOpenAIRequestBody(
      {
        ...body,
        stream: true,
        stream_options: { include_usage: false, include_obfuscation: false },
      },
      'llama',
      true,
    );
    expect(out.stream).toBe(true);
    expect(out.stream_options).toEqual({ include_usage: true, include_obfuscation: false });
  });

  it('does not mutate the client body', () => {
    const copy = structuredClone(body);
    toOpenAIRequestBody(body, 'x', true);
    expect(body).toEqual(copy);
  });
});
