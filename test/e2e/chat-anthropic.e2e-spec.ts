import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import OpenAI from 'openai';
import { fixture, jsonFixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { api, sseEvents } from '../support/http.js';
import {
  CHUNK_SCHEMA,
  expectMatchesSchema,
  expectStreamConforms,
} from '../support/openapi-conformance.js';
import { useGatewayWithStandIn } from '../support/sdk-harness.js';
import {
  framesFromJsonl,
  sseFrames,
  StandInUpstream,
  type RecordedRequest,
} from '../support/stand-in-upstream.js';

/** The gateway builds these answers itself: every field it sends must be documented. */
const CLOSED = { closed: true };

const UPSTREAM_KEY = 'sk-ant-api03-upstream-secret-0000000000';

const validateRequest = new Ajv2020({
  allErrors: true,
  strict: true,
  formats: { byte: /^[A-Za-z0-9+/]*={0,2}$/ },
}).compile(
  JSON.parse(
    readFileSync(
      join(
        dirname(fileURLToPath(import.meta.url)),
        '../fixtures/anthropic/create-message-request.schema.json',
      ),
      'utf8',
    ),
  ) as object,
);

/** The request reached Anthropic's Messages endpoint as Anthropic defines it. */
function expectMessagesRequest(sent: RecordedRequest, stream: boolean): void {
  expect(sent.method).toBe('POST');
  expect(sent.path).toBe('/v1/messages');
  expect(sent.headers['x-api-key']).toBe(UPSTREAM_KEY);
  expect(sent.headers['anthropic-version']).toBe('2023-06-01');
  expect(sent.headers['content-type']).toBe('application/json');
  expect(sent.headers.authorization).toBeUndefined();
  expect(sent.raw).not.toContain(MASTER_KEY);
  expect(validateRequest(sent.body) ? [] : validateRequest.errors).toEqual([]);
  if (stream) expect(sent.body.stream).toBe(true);
  else expect(sent.body).not.toHaveProperty('stream');
}

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city.',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
      required: ['city'],
    },
  },
};

describe('POST /v1/chat/completions against Anthropic (official openai SDK)', () => {
  const h = useGatewayWithStandIn((url) => ({
    ANTHROPIC_API_KEY: UPSTREAM_KEY,
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_MODELS: 'claude-sonnet-4-5,claude-haiku-4-5',
  }));

  it('answers a text completion translated both ways, with cache usage and raw_usage', async () => {
    h.upstream.enqueue({ json: jsonFixture('anthropic/message-text.json') });
    const res = await h.client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Capital of France?' },
      ],
      temperature: 0.3,
      max_completion_tokens: 200,
      stop: ['\n\n'],
      user: 'user-7421',
      seed: 7,
    });
    expectMatchesSchema('ChatCompletionResponse', res, CLOSED);
    expect(res).toMatchObject({
      id: 'chatcmpl-msg_01TgText5Mw8Qz3Lv7RcKpYs',
      object: 'chat.completion',
      model: 'claude-sonnet-4-5-20250929',
      provider: 'anthropic',
      choices: [
        {
          index: 0,
          finish_reason: 'stop',
          message: { role: 'assistant', content: 'Paris is the capital of France.' },
        },
      ],
      usage: {
        prompt_tokens: 1545,
        completion_tokens: 10,
        total_tokens: 1555,
        prompt_tokens_details: { cached_tokens: 1536, cache_write_tokens: 0 },
        raw_usage: jsonFixture('anthropic/message-text.json').usage,
      },
    });
    expect(res.created).toBeGreaterThan(1_700_000_000);

    const sent = h.upstream.lastRequest();
    expectMessagesRequest(sent, false);
    expect(sent.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 200,
      system: [{ type: 'text', text: 'You are terse.' }],
      messages: [{ role: 'user', content: 'Capital of France?' }],
      temperature: 0.3,
      stop_sequences: ['\n\n'],
      metadata: { user_id: 'user-7421' },
    });
  });

  it('passes the client anthropic-beta header on', async () => {
    h.upstream.enqueue({ json: jsonFixture('anthropic/message-text.json') });
    await h.client.chat.completions.create(
      { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'anthropic-beta': 'context-1m-2025-08-07' } },
    );
    const sent = h.upstream.lastRequest();
    expect(sent.headers['anthropic-beta']).toBe('context-1m-2025-08-07');
    expect(sent.body.max_tokens).toBe(64000);
  });

  it('round-trips tool calls: tool_use out, tool_result back grouped in one user turn', async () => {
    h.upstream.enqueue({ json: jsonFixture('anthropic/message-tool-use.json') });
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Weather in Paris and Oslo?' },
    ];
    const first = await h.client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages,
      tools: [weatherTool],
      tool_choice: 'auto',
      parallel_tool_calls: true,
    });
    expectMatchesSchema('ChatCompletionResponse', first, CLOSED);
    const choice = first.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe("I'll check the weather in both cities.");
    const calls = choice.message.tool_calls ?? [];
    expect(
      calls.map(
        (c) => c.type === 'function' && [c.id, c.function.name, JSON.parse(c.function.arguments)],
      ),
    ).toEqual([
      ['toolu_01TgParis7aXw3Kd9Lm2QvBn', 'get_weather', { city: 'Paris', unit: 'c' }],
      ['toolu_01TgOslo4bYt8Hn2Pq6WzRcJ', 'get_weather', { city: 'Oslo', unit: 'c' }],
    ]);
    const firstSent = h.upstream.lastRequest();
    expectMessagesRequest(firstSent, false);
    expect(firstSent.body.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Current weather for a city.',
        input_schema: weatherTool.function.parameters,
      },
    ]);
    expect(firstSent.body.tool_choice).toEqual({ type: 'auto' });

    h.upstream.enqueue({ json: jsonFixture('anthropic/message-text.json') });
    await h.client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      tools: [weatherTool],
      messages: [
        ...messages,
        choice.message,
        { role: 'tool', tool_call_id: calls[0].id, content: '{"temp":18}' },
        { role: 'tool', tool_call_id: calls[1].id, content: '{"temp":9}' },
      ],
    });
    const sent = h.upstream.lastRequest();
    expectMessagesRequest(sent, false);
    expect(sent.body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Oslo?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: "I'll check the weather in both cities." },
          {
            type: 'tool_use',
            id: 'toolu_01TgParis7aXw3Kd9Lm2QvBn',
            name: 'get_weather',
            input: { city: 'Paris', unit: 'c' },
          },
          {
            type: 'tool_use',
            id: 'toolu_01TgOslo4bYt8Hn2Pq6WzRcJ',
            name: 'get_weather',
            input: { city: 'Oslo', unit: 'c' },
          },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01TgParis7aXw3Kd9Lm2QvBn',
            content: '{"temp":18}',
          },
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01TgOslo4bYt8Hn2Pq6WzRcJ',
            content: '{"temp":9}',
          },
        ],
      },
    ]);
  });

  it('streams parallel tool calls that the SDK reassembles', async () => {
    h.upstream.enqueue({
      frames: framesFromJsonl(fixture('anthropic/messages-stream-parallel-tool-use.jsonl'), true),
    });
    const stream = h.client.chat.completions.stream({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Weather in Paris and Oslo?' }],
      tools: [weatherTool],
      parallel_tool_calls: false,
    });
    const chunks: unknown[] = [];
    stream.on('chunk', (chunk) => chunks.push(chunk));
    const final = await stream.finalChatCompletion();
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) expectMatchesSchema(CHUNK_SCHEMA, chunk, CLOSED);
    const message = final.choices[0].message;
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(message.content).toBe("I'll check both cities at once.");
    expect(
      (message.tool_calls ?? []).map(
        (c) => c.type === 'function' && [c.id, c.function.name, JSON.parse(c.function.arguments)],
      ),
    ).toEqual([
      ['toolu_01TgParis7aXw3Kd9Lm2QvBn', 'get_weather', { city: 'Paris', unit: 'c' }],
      ['toolu_01TgOslo4bYt8Hn2Pq6WzRcJ', 'get_weather', { city: 'Oslo', unit: 'c' }],
    ]);
    const sent = h.upstream.lastRequest();
    expectMessagesRequest(sent, true);
    expect(sent.headers.accept).toBe('text/event-stream');
    expect(sent.body.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
  });

  it('ends a stream with the usage chunk when include_usage is set', async () => {
    h.upstream.enqueue({ frames: sseFrames(fixture('anthropic/messages-stream-text-padded.sse')) });
    const stream = await h.client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    for (const chunk of chunks) expectMatchesSchema(CHUNK_SCHEMA, chunk, CLOSED);
    expect(chunks[0].choices[0].delta).toMatchObject({ role: 'assistant' });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(
      'Tollgate relays every token.',
    );
    expect(chunks.at(-2)?.choices[0].finish_reason).toBe('stop');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({
      prompt_tokens: 14,
      completion_tokens: 7,
      total_tokens: 21,
    });
    expectMessagesRequest(h.upstream.lastRequest(), true);
  });

  it('hides the usage chunk from a stream client that did not ask for it', async () => {
    h.upstream.enqueue({
      frames: framesFromJsonl(fixture('anthropic/messages-stream-prompt-cache-read.jsonl'), true),
    });
    const res = await api(h.gw).chat({
      model: 'claude-sonnet-4-5',
      stream: true,
      messages: [{ role: 'user', content: 'What is 7 × 6?' }],
    });
    expect(res.status).toBe(200);
    const events = sseEvents(await res.text());
    expect(events.at(-1)).toBe('[DONE]');
    expectStreamConforms(events, CLOSED);
    const chunks = events.slice(0, -1) as OpenAI.Chat.Completions.ChatCompletionChunk[];
    expect(chunks.every((c) => c.choices.length > 0 && !c.usage)).toBe(true);
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe(
      'Seven times six is **42**.',
    );
  });

  it('exposes thinking with its signature and sends both back as a thinking block', async () => {
    h.upstream.enqueue({ json: jsonFixture('anthropic/message-extended-thinking.json') });
    const first = await h.client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Three gates at 4 coins: the trip?' }],
      reasoning_effort: 'low',
    });
    expectMatchesSchema('ChatCompletionResponse', first, CLOSED);
    const message = first.choices[0].message as OpenAI.Chat.Completions.ChatCompletionMessage & {
      reasoning_content?: string;
      reasoning_signature?: string;
    };
    const native = jsonFixture('anthropic/message-extended-thinking.json').content[0];
    expect(message.reasoning_content).toBe(native.thinking);
    expect(message.reasoning_signature).toBe(native.signature);
    expect(h.upstream.lastRequest().body.thinking).toEqual({
      type: 'enabled',
      budget_tokens: 2048,
    });

    h.upstream.enqueue({ json: jsonFixture('anthropic/message-text.json') });
    await h.client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      reasoning_effort: 'low',
      messages: [
        { role: 'user', content: 'Three gates at 4 coins: the trip?' },
        message,
        { role: 'user', content: 'And with five gates?' },
      ],
    });
    const sent = h.upstream.lastRequest();
    expectMessagesRequest(sent, false);
    expect(sent.body.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: native.thinking, signature: native.signature },
        { type: 'text', text: message.content },
      ],
    });
  });

  it('refuses a temperature above 1 before calling Anthropic', async () => {
    const err = await h.client.chat.completions
      .create({
        model: 'claude-sonnet-4-5',
        messages: [{ role: 'user', content: 'hi' }],
        temperature: 1.4,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('temperature');
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('turns Anthropic 529 overloaded into a 503', async () => {
    const overloaded = { status: 529, json: jsonFixture('anthropic/error-529-overloaded.json') };
    h.upstream.enqueue(overloaded, overloaded, overloaded); // retried twice first
    const err = await h.client.chat.completions
      .create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    const apiErr = err as InstanceType<typeof OpenAI.APIError>;
    expect(apiErr.status).toBe(503);
    expectMatchesSchema('ErrorEnvelope', { error: apiErr.error }, CLOSED);
    expect(apiErr.error).toEqual({
      message: 'Overloaded',
      type: 'server_error',
      param: null,
      code: null,
    });
  });

  it('passes a 429 on with its retry-after', async () => {
    h.upstream.enqueue({
      status: 429,
      headers: { 'retry-after': '17' },
      json: jsonFixture('anthropic/error-429-rate-limit.json'),
    });
    const err = await h.client.chat.completions
      .create({
        model: 'claude-sonnet-4-5',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const apiErr = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(apiErr.headers.get('retry-after')).toBe('17');
    expect(apiErr.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
  });

  it('ends a stream that fails mid-way with one OpenAI error event', async () => {
    h.upstream.enqueue({
      frames: sseFrames(fixture('anthropic/messages-stream-error-overloaded.sse')),
    });
    const stream = await h.client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Tell me a story.' }],
      stream: true,
    });
    let text = '';
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(text).toBe('Once upon a time');
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      message: 'Overloaded',
      type: 'server_error',
    });

    h.upstream.enqueue({
      frames: sseFrames(fixture('anthropic/messages-stream-error-overloaded.sse')),
    });
    const res = await api(h.gw).chat({
      model: 'claude-sonnet-4-5',
      stream: true,
      messages: [{ role: 'user', content: 'Tell me a story.' }],
    });
    const events = sseEvents(await res.text());
    expectStreamConforms(events, CLOSED);
    expect(events.filter((e) => e !== '[DONE]' && 'error' in e)).toHaveLength(1);
    expect(events.at(-1).error).toMatchObject({ message: 'Overloaded', type: 'server_error' });
    expect(events).not.toContain('[DONE]');
  });
});

describe('Anthropic model discovery', () => {
  let upstream: StandInUpstream;
  let gw: RunningGateway;

  beforeAll(async () => {
    upstream = await StandInUpstream.start();
    upstream.on('GET', '/v1/models', (req) =>
      req.path.includes('after_id=')
        ? { json: jsonFixture('anthropic/models-page-2.json') }
        : { json: jsonFixture('anthropic/models-page-1.json') },
    );
    gw = await startGateway({ ANTHROPIC_API_KEY: UPSTREAM_KEY, ANTHROPIC_BASE_URL: upstream.url });
  });
  afterAll(async () => {
    await gw.close();
    await upstream.stop();
  });

  it('lists every page of GET /v1/models', async () => {
    const client = new OpenAI({ apiKey: MASTER_KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'anthropic/claude-opus-4-1-20250805',
        'anthropic/claude-sonnet-4-5-20250929',
        'anthropic/claude-haiku-4-5-20251001',
      ]),
    );
    const calls = upstream.requests.filter((r) => r.path.startsWith('/v1/models'));
    expect(calls.map((r) => r.path)).toEqual([
      '/v1/models?limit=1000',
      '/v1/models?limit=1000&after_id=claude-sonnet-4-5-20250929',
    ]);
    expect(calls[0].headers['x-api-key']).toBe(UPSTREAM_KEY);
    expect(calls[0].headers['anthropic-version']).toBe('2023-06-01');
    const listed = await api(gw).call('GET', '/v1/models');
    expect(listed.status).toBe(200);
    const one = await api(gw).call('GET', `/v1/models/${encodeURIComponent(ids[0])}`);
    expect(one.body.id).toBe(ids[0]);
  });
});
