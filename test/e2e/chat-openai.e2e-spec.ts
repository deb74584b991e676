import OpenAI from 'openai';
import { fixture, jsonFixture } from '../support/fixtures.js';
import { api, sseEvents } from '../support/http.js';
import {
  CHUNK_SCHEMA,
  expectMatchesSchema,
  expectStreamConforms,
} from '../support/openapi-conformance.js';
import { useGatewayWithStandIn } from '../support/sdk-harness.js';
import { sseFrames } from '../support/stand-in-upstream.js';

describe('POST /v1/chat/completions against an OpenAI-family upstream (official openai SDK)', () => {
  const h = useGatewayWithStandIn((url) => ({
    OPENAI_API_KEY: 'sk-upstream-secret-000000000000',
    OPENAI_BASE_URL: `${url}/v1`,
    OPENAI_MODELS: 'gpt-4o-mini,gpt-4o',
    GROQ_API_KEY: 'gsk_upstreamsecret000000000',
    GROQ_BASE_URL: `${url}/groq/v1`,
    GROQ_MODELS: 'llama-3.1-8b-instant,gpt-4o',
  }));

  it('returns a text completion with provider and raw_usage, forwarding the request unchanged', async () => {
    // The upstream takes 60 ms, which the overhead header must leave out.
    const upstreamDelayMs = 60;
    h.upstream.enqueue({
      json: jsonFixture('openai/chat-completion.json'),
      delayMs: upstreamDelayMs,
    });
    const started = performance.now();
    const res = await h.client.chat.completions
      .create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Capital of France?' }],
        temperature: 0.2,
        // @ts-expect-error unknown to the SDK's types: must reach the upstream unchanged
        vendor_knob: { depth: 3 },
      })
      .withResponse();
    const latencyMs = performance.now() - started;
    expectMatchesSchema('ChatCompletionResponse', res.data);
    expect(res.data.choices[0].message.content).toBe('Paris is the capital of France.');
    expect((res.data as unknown as { provider: string }).provider).toBe('openai');
    expect(res.data.usage).toMatchObject({
      prompt_tokens: 24,
      completion_tokens: 8,
      total_tokens: 32,
    });
    expect((res.data.usage as unknown as { raw_usage: unknown }).raw_usage).toEqual(
      jsonFixture('openai/chat-completion.json').usage,
    );
    expect(res.response.headers.get('x-request-id')).toMatch(/^req_/);
    const overhead = res.response.headers.get('x-tollgate-overhead-ms');
    expect(overhead).toMatch(/^\d+\.\d{3}$/);
    expect(Number(overhead)).toBeLessThan(latencyMs - upstreamDelayMs);

    const sent = h.upstream.lastRequest();
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-upstream-secret-000000000000');
    expect(sent.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      temperature: 0.2,
      vendor_knob: { depth: 3 },
    });
  });

  it('streams parallel tool calls that the SDK reassembles, with the usage chunk when asked', async () => {
    h.upstream.enqueue({
      frames: sseFrames(fixture('openai/chat-stream-parallel-tool-calls-usage.sse')),
    });
    const stream = h.client.chat.completions.stream({
      model: 'openai/gpt-4o',
      messages: [{ role: 'user', content: 'Weather in Paris and Oslo?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
      stream_options: { include_usage: true },
    });
    const chunks: unknown[] = [];
    stream.on('chunk', (chunk) => chunks.push(chunk));
    const final = await stream.finalChatCompletion();
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) expectMatchesSchema(CHUNK_SCHEMA, chunk);
    const calls = final.choices[0].message.tool_calls ?? [];
    expect(
      calls.map(
        (c) => c.type === 'function' && [c.id, c.function.name, JSON.parse(c.function.arguments)],
      ),
    ).toEqual([
      ['call_tgWeatherParis000000001', 'get_weather', { city: 'Paris', unit: 'c' }],
      ['call_tgWeatherOslo0000000002', 'get_weather', { city: 'Oslo', unit: 'c' }],
    ]);
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(final.usage).toMatchObject({
      prompt_tokens: 131,
      completion_tokens: 58,
      total_tokens: 189,
    });
    expect(h.upstream.lastRequest().body.stream_options).toEqual({ include_usage: true });
  });

  it('asks the upstream for usage but hides the usage chunk from a client that did not ask', async () => {
    h.upstream.enqueue({ frames: sseFrames(fixture('openai/chat-stream-text-usage.sse')) });
    const res = await api(h.gw).chat({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-tollgate-overhead-ms')).toMatch(/^\d+\.\d{3}$/);
    const events = sseEvents(await res.text());
    expect(events.at(-1)).toBe('[DONE]');
    expectStreamConforms(events);
    const chunks = events.slice(0, -1);
    expect(chunks.every((c) => c.choices.length > 0 && !c.usage)).toBe(true);
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe(
      'The gateway relays every token as it arrives.',
    );
    expect(h.upstream.lastRequest().body.stream_options).toEqual({ include_usage: true });
  });

  it('keeps the upstream connection for the next request once a stream is over', async () => {
    // The upstream ends its response a moment after `[DONE]`, as real servers do: the
    // gateway stops reading at `[DONE]` and must not drop the connection for that.
    const frames = sseFrames(fixture('openai/chat-stream-text-usage.sse'));
    h.upstream.enqueue({ frames, frameDelayMs: 5 }, { frames, frameDelayMs: 5 });
    const streamOnce = async () => {
      const stream = await h.client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    };
    expect(await streamOnce()).toBe('The gateway relays every token as it arrives.');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const connections = h.upstream.connections;
    expect(await streamOnce()).toBe('The gateway relays every token as it arrives.');
    expect(h.upstream.connections).toBe(connections);
    expect(h.upstream.abortedResponses).toBe(0);
  });

  it('honours the provider hint and never sends it upstream', async () => {
    h.upstream.enqueue({ json: jsonFixture('openai/chat-completion.json') });
    const res = await h.client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      // @ts-expect-error gateway routing hint
      provider: 'groq',
    });
    expect((res as unknown as { provider: string }).provider).toBe('groq');
    const sent = h.upstream.lastRequest();
    expect(sent.path).toBe('/groq/v1/chat/completions');
    expect(sent.body).not.toHaveProperty('provider');
    expect(sent.headers.authorization).toBe('Bearer gsk_upstreamsecret000000000');
  });

  it('refuses an ambiguous bare model name, listing the qualified ids', async () => {
    const err = await h.client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toContain(
      'openai/gpt-4o, groq/gpt-4o',
    );
    expect(h.upstream.requests).toHaveLength(0);
  });
});
