import OpenAI from 'openai';
import type {
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { fixture, jsonFixture } from '../support/fixtures.js';
import { api, sseEvents } from '../support/http.js';
import {
  CHUNK_SCHEMA,
  expectMatchesSchema,
  expectStreamConforms,
} from '../support/openapi-conformance.js';
import { useGatewayWithStandIn } from '../support/sdk-harness.js';
import { framesFromJsonl, sseFrames, type ScriptedResponse } from '../support/stand-in-upstream.js';

/** The gateway builds these answers itself: every field it sends must be documented. */
const CLOSED = { closed: true };

const GEMINI_KEY = 'AIzaSyTollgateStandInKey00000000000000';

/** A recorded-shape generateContent body, sent byte for byte as Google pretty-prints it. */
const jsonBody = (file: string): ScriptedResponse => ({
  headers: { 'content-type': 'application/json; charset=UTF-8' },
  body: fixture(`gemini/${file}`),
});

const weatherTool: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
      required: ['city'],
      additionalProperties: false,
    },
  },
};

describe('POST /v1/chat/completions against native Gemini (official openai SDK)', () => {
  const h = useGatewayWithStandIn((url) => ({
    GEMINI_API_KEY: GEMINI_KEY,
    GEMINI_BASE_URL: url,
    GEMINI_MODELS: 'gemini-2.5-flash,gemini-3-pro-preview',
  }));

  it('returns a text completion translated from generateContent', async () => {
    const recorded = jsonFixture('gemini/generate-content-text.json');
    h.upstream.enqueue(jsonBody('generate-content-text.json'));
    const res = await h.client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [
        { role: 'system', content: 'Answer in one sentence.' },
        { role: 'user', content: 'What does a toll gate do?' },
      ],
      temperature: 0.3,
      max_completion_tokens: 200,
      stop: ['\n\n'],
      user: 'user-42',
    });

    expectMatchesSchema('ChatCompletionResponse', res, CLOSED);
    expect(res).toMatchObject({
      id: recorded.responseId,
      object: 'chat.completion',
      model: 'gemini-2.5-flash',
      provider: 'gemini',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content:
              'A toll gate lets traffic through one vehicle at a time and keeps a record of every passage.',
          },
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 14,
        completion_tokens: 44,
        total_tokens: 58,
        completion_tokens_details: { reasoning_tokens: 25 },
        raw_usage: recorded.usageMetadata,
      },
    });
    expect(res.created).toBeGreaterThan(1_700_000_000);

    const sent = h.upstream.lastRequest();
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'What does a toll gate do?' }] }],
      systemInstruction: { parts: [{ text: 'Answer in one sentence.' }] },
      generationConfig: { stopSequences: ['\n\n'], maxOutputTokens: 200, temperature: 0.3 },
    });
  });

  it('streams text with one usage chunk at the end, counted once', async () => {
    h.upstream.enqueue({ frames: sseFrames(fixture('gemini/stream-text.sse')) });
    const stream = await h.client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'When is the gate open?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    for (const chunk of chunks) expectMatchesSchema(CHUNK_SCHEMA, chunk, CLOSED);

    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(
      'The gate opens at six and closes at ten.',
    );
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter(Boolean)).toEqual([
      'stop',
    ]);
    const usageChunks = chunks.filter((c) => c.usage);
    expect(usageChunks).toHaveLength(1);
    expect(chunks.at(-1)).toBe(usageChunks[0]);
    expect(usageChunks[0].choices).toEqual([]);
    const lastEvent = JSON.parse(sseFrames(fixture('gemini/stream-text.sse')).at(-1)!.slice(6)) as {
      usageMetadata: unknown;
    };
    expect(usageChunks[0].usage).toMatchObject({
      prompt_tokens: 12,
      completion_tokens: 41,
      total_tokens: 53,
      raw_usage: lastEvent.usageMetadata,
    });

    const sent = h.upstream.lastRequest();
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(sent.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    expect(sent.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'When is the gate open?' }] }],
    });
  });

  it('hides the usage chunk from a stream client that did not ask, ending with [DONE]', async () => {
    h.upstream.enqueue({ frames: sseFrames(fixture('gemini/stream-text.sse')) });
    const res = await api(h.gw).chat({
      model: 'gemini-2.5-flash',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status).toBe(200);
    const events = sseEvents(await res.text());
    expect(events.at(-1)).toBe('[DONE]');
    expectStreamConforms(events, CLOSED);
    const chunks = events.slice(0, -1) as OpenAI.Chat.Completions.ChatCompletionChunk[];
    expect(chunks.every((c) => c.choices.length > 0 && !('usage' in c))).toBe(true);
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe(
      'The gate opens at six and closes at ten.',
    );
  });

  it('streams parallel function calls that the SDK reassembles, signature included', async () => {
    h.upstream.enqueue({
      frames: framesFromJsonl(fixture('gemini/stream-parallel-function-calls.jsonl')),
    });
    const stream = h.client.chat.completions.stream({
      model: 'gemini-3-pro-preview',
      messages: [{ role: 'user', content: 'Weather in Oslo and Lima?' }],
      tools: [weatherTool],
      tool_choice: 'auto',
      reasoning_effort: 'high',
    });
    const chunks: unknown[] = [];
    stream.on('chunk', (chunk) => chunks.push(chunk));
    const final = await stream.finalChatCompletion();
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expectMatchesSchema(CHUNK_SCHEMA, chunk, CLOSED);

    const choice = final.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    const calls = (choice.message.tool_calls ?? []).filter((c) => c.type === 'function');
    expect(calls.map((c) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ['get_weather', { city: 'Oslo', unit: 'c' }],
      ['get_weather', { city: 'Lima', unit: 'c' }],
    ]);
    expect(calls.every((c) => /^call_[0-9a-f]{24}$/.test(c.id))).toBe(true);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
    expect((calls[0] as unknown as { extra_content: unknown }).extra_content).toEqual({
      google: { thought_signature: expect.stringMatching(/^[A-Za-z0-9+/]{40,}=*$/) },
    });
    expect(calls[1]).not.toHaveProperty('extra_content');
    expect(
      (choice.message as unknown as { reasoning_content: string }).reasoning_content,
    ).toContain('Two cities, one tool');

    const sent = h.upstream.lastRequest();
    expect(sent.path).toBe('/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse');
    expect(sent.body).toMatchObject({
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Current weather for a city',
              parametersJsonSchema: weatherTool.function.parameters,
            },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
      generationConfig: { thinkingConfig: { includeThoughts: true, thinkingLevel: 'high' } },
    });
  });

  it.each(['non-stream', 'stream'] as const)(
    'carries a thought signature through the client and back to the functionCall part (%s)',
    async (mode) => {
      const question: ChatCompletionMessageParam = {
        role: 'user',
        content: 'Weather in Oslo and Lima?',
      };
      let assistant: OpenAI.Chat.Completions.ChatCompletionMessage;
      if (mode === 'non-stream') {
        h.upstream.enqueue(jsonBody('generate-content-parallel-function-calls.json'));
        const first = await h.client.chat.completions.create({
          model: 'gemini-3-pro-preview',
          messages: [question],
          tools: [weatherTool],
        });
        expectMatchesSchema('ChatCompletionResponse', first, CLOSED);
        assistant = first.choices[0].message;
      } else {
        h.upstream.enqueue({
          frames: framesFromJsonl(fixture('gemini/stream-parallel-function-calls.jsonl')),
        });
        const first = await h.client.chat.completions
          .stream({ model: 'gemini-3-pro-preview', messages: [question], tools: [weatherTool] })
          .finalChatCompletion();
        assistant = first.choices[0].message;
      }
      const signature = (
        assistant.tool_calls?.[0] as unknown as {
          extra_content: { google: { thought_signature: string } };
        }
      ).extra_content.google.thought_signature;
      const [oslo, lima] = assistant.tool_calls ?? [];

      h.upstream.enqueue(jsonBody('generate-content-text.json'));
      await h.client.chat.completions.create({
        model: 'gemini-3-pro-preview',
        messages: [
          question,
          assistant,
          { role: 'tool', tool_call_id: oslo.id, content: '{"temp_c": -3, "sky": "snow"}' },
          { role: 'tool', tool_call_id: lima.id, content: 'Sunny, 24 °C' },
        ],
        tools: [weatherTool],
      });

      const second = h.upstream.lastRequest().body as { contents: unknown[] };
      expect(second.contents).toEqual([
        { role: 'user', parts: [{ text: 'Weather in Oslo and Lima?' }] },
        {
          role: 'model',
          parts: [
            {
              functionCall: { name: 'get_weather', args: { city: 'Oslo', unit: 'c' } },
              thoughtSignature: signature,
            },
            { functionCall: { name: 'get_weather', args: { city: 'Lima', unit: 'c' } } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_weather', response: { temp_c: -3, sky: 'snow' } } },
            { functionResponse: { name: 'get_weather', response: { result: 'Sunny, 24 °C' } } },
          ],
        },
      ]);
    },
  );

  it('passes a 429 on with retry-after taken from RetryInfo', async () => {
    h.upstream.enqueue({
      status: 429,
      json: jsonFixture('gemini/error-429-resource-exhausted.json'),
    });
    const err = await h.client.chat.completions
      .create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimited = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimited.status).toBe(429);
    expect(rateLimited.headers?.get('retry-after')).toBe('27');
    expectMatchesSchema('ErrorEnvelope', { error: rateLimited.error }, CLOSED);
    expect(rateLimited.error).toMatchObject({
      type: 'rate_limit_error',
      code: 'resource_exhausted',
    });
    expect(rateLimited.message).toContain('You exceeded your current quota');
  });

  it('reports an invalid upstream key as 401 without echoing it', async () => {
    h.upstream.enqueue({ status: 400, json: jsonFixture('gemini/error-400-api-key-invalid.json') });
    const err = await h.client.chat.completions
      .create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).error).toEqual({
      message: "The upstream provider 'gemini' rejected the gateway's credentials for it.",
      type: 'authentication_error',
      param: null,
      code: 'upstream_authentication_error',
    });
    expectMatchesSchema(
      'ErrorEnvelope',
      { error: (err as InstanceType<typeof OpenAI.APIError>).error },
      CLOSED,
    );
    expect(JSON.stringify(err)).not.toContain(GEMINI_KEY);
    expect(JSON.stringify(h.gw.logs)).not.toContain(GEMINI_KEY);
  });

  it('ends a stream that fails midway with one error event, after the text that did arrive', async () => {
    h.upstream.enqueue({ frames: sseFrames(fixture('gemini/stream-error-midstream.sse')) });
    const stream = await h.client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'Count the lanes.' }],
      stream: true,
    });
    let text = '';
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(text).toBe('Counting the lanes');
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      message: 'The model is overloaded. Please try again later.',
      type: 'server_error',
      code: 'unavailable',
    });
  });

  it('answers a prompt Gemini blocked with a 400 content_filter error', async () => {
    h.upstream.enqueue(jsonBody('generate-content-prompt-blocked.json'));
    const err = await h.client.chat.completions
      .create({
        model: 'gemini-2.5-flash',
        messages: [{ role: 'user', content: 'something blocked' }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({
      code: 'content_filter',
    });
  });

  it('refuses a remote image URL with a 400 naming the parameter, without calling Gemini', async () => {
    const err = await h.client.chat.completions
      .create({
        model: 'gemini-2.5-flash',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              {
                type: 'image_url',
                image_url: { url: 'http://169.254.169.254/latest/meta-data/x.png' },
              },
            ],
          },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(
      'messages[0].content[1].image_url',
    );
    expect(h.upstream.requests).toHaveLength(0);
  });
});
