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

  it("turns reasoning.effort into OpenAI's reasoning_effort, for OpenAI's own API only", () => {
    const withReasoning = { ...body, reasoning: { effort: 'high' as const } };
    const openai = toOpenAIRequestBody(withReasoning, 'o4-mini', false, true);
    expect(openai.reasoning_effort).toBe('high');
    expect(openai).not.toHaveProperty('reasoning');
    // An explicit reasoning_effort wins over the object.
    expect(
      toOpenAIRequestBody({ ...withReasoning, reasoning_effort: 'low' }, 'o4-mini', false, true)
        .reasoning_effort,
    ).toBe('low');
    // OpenAI-compatible servers get the object as sent.
    const compatible = toOpenAIRequestBody(withReasoning, 'llama', false);
    expect(compatible.reasoning).toEqual({ effort: 'high' });
    expect(compatible).not.toHaveProperty('reasoning_effort');
  });

  it('does not mutate the client body', () => {
    const copy = structuredClone(body);
    toOpenAIRequestBody(body, 'x', true);
    expect(body).toEqual(copy);
  });
});
