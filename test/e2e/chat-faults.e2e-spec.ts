import OpenAI from 'openai';
import { fixture, jsonFixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway } from '../support/gateway.js';
import { api, sseEvents } from '../support/http.js';
import { expectStreamConforms } from '../support/openapi-conformance.js';
import { useGatewayWithStandIn } from '../support/sdk-harness.js';
import { sleep, sseFrames } from '../support/stand-in-upstream.js';

const UPSTREAM_KEY = 'sk-upstream-secret-do-not-leak-0000';

describe('faults and bad input: clear OpenAI errors, nothing leaked', () => {
  const h = useGatewayWithStandIn((url) => ({
    OPENAI_API_KEY: UPSTREAM_KEY,
    OPENAI_BASE_URL: `${url}/v1`,
    OPENAI_MODELS: 'gpt-4o-mini',
    TOLLGATE_BODY_LIMIT: '64kb',
    TOLLGATE_HEARTBEAT_MS: '100',
    TOLLGATE_TIMEOUT_MS: '1500',
  }));
  const CHAT = '/v1/chat/completions';
  /** A chat call answered in JSON, checked against openapi.json. */
  const call = (body: unknown, headers?: Record<string, string>) =>
    api(h.gw).call('POST', CHAT, body, headers);
  const hello = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

  describe('auth', () => {
    it('401 without a bearer token, in the OpenAI envelope', async () => {
      const res = await api(h.gw, null).call('POST', CHAT, '{}');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          message: expect.stringContaining('API key'),
          type: 'authentication_error',
          param: null,
          code: 'missing_api_key',
        },
      });
    });

    it('401 with a wrong token, for the SDK too', async () => {
      const bad = new OpenAI({ apiKey: 'tg-wrong', baseURL: `${h.gw.url}/v1`, maxRetries: 0 });
      await expect(bad.chat.completions.create(hello as never)).rejects.toBeInstanceOf(
        OpenAI.AuthenticationError,
      );
      await expect(bad.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      expect(h.upstream.requests).toHaveLength(0);
    });
  });

  describe('malformed bodies', () => {
    it.each([
      ['broken JSON', '{"model":', 400, null],
      ['a JSON array', '[1,2]', 400, null],
      ['no model', { messages: [{ role: 'user', content: 'x' }] }, 400, 'model'],
      ['empty messages', { model: 'gpt-4o-mini', messages: [] }, 400, 'messages'],
      [
        'unknown role',
        { model: 'gpt-4o-mini', messages: [{ role: 'wizard', content: 'x' }] },
        400,
        'messages[0].role',
      ],
      [
        'number content',
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 5 }] },
        400,
        'messages[0].content',
      ],
      [
        'bad content part',
        {
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }],
        },
        400,
        'messages[0].content',
      ],
      ['temperature out of range', { ...hello, temperature: 3 }, 400, 'temperature'],
      ['max_tokens not an integer', { ...hello, max_tokens: 1.5 }, 400, 'max_tokens'],
      ['stream not boolean', { ...hello, stream: 'yes' }, 400, 'stream'],
      ['bad tool_choice', { ...hello, tool_choice: 'sometimes' }, 400, 'tool_choice'],
      [
        'tool without name',
        { ...hello, tools: [{ type: 'function', function: {} }] },
        400,
        'tools[0].function.name',
      ],
      [
        'tool message without id',
        { model: 'gpt-4o-mini', messages: [{ role: 'tool', content: 'x' }] },
        400,
        'messages[0].tool_call_id',
      ],
    ])('%s → %i naming %s', async (_name, body, status, param) => {
      const res = await call(body);
      expect(res.status).toBe(status);
      const json = res.body;
      expect(json.error.type).toBe('invalid_request_error');
      expect(json.error.param).toBe(param);
      expect(typeof json.error.message).toBe('string');
      expect(h.upstream.requests).toHaveLength(0);
    });

    it('413 for a body over the configured limit', async () => {
      const res = await call({
        ...hello,
        messages: [{ role: 'user', content: 'x'.repeat(70_000) }],
      });
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({
        type: 'invalid_request_error',
        code: 'body_too_large',
      });
    });

    it('reads a JSON body sent as application/<type>+json', async () => {
      h.upstream.enqueue({ json: jsonFixture('openai/chat-completion.json') });
      const res = await call(hello, { 'content-type': 'application/vnd.api+json' });
      expect(res.status).toBe(200);
      expect(res.body.choices[0].message.content).toBe('Paris is the capital of France.');
      expect(h.upstream.requests).toHaveLength(1);
    });

    it.each([
      ['a body typed text/plain', JSON.stringify({ model: 'gpt-4o-mini' }), 'text/plain'],
      ['a body of an unknown type', 'model=gpt-4o-mini', 'application/x-www-form-urlencoded'],
      ['an empty JSON body', '', 'application/json'],
    ])('%s gets the 400 envelope for a body that is not a JSON object', async (_n, body, type) => {
      const res = await call(body, { 'content-type': type });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        type: 'invalid_request_error',
        message: 'The request body must be a JSON object.',
      });
      expect(h.upstream.requests).toHaveLength(0);
    });

    it('refuses a body with a __proto__ key as invalid JSON', async () => {
      const res = await call('{"model":"gpt-4o-mini","__proto__":{"admin":true},"messages":[]}');
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        type: 'invalid_request_error',
        code: 'invalid_json',
      });
      expect(h.upstream.requests).toHaveLength(0);
    });

    it('404 envelope for an unknown model, listing what would work', async () => {
      const err = await h.client.chat.completions
        .create({ model: 'gpt-5-imaginary', messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.NotFoundError);
      expect((err as Error).message).toContain('openai/gpt-4o-mini');
    });

    it('404 envelope for an unknown route', async () => {
      const res = await api(h.gw).call('GET', '/v1/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('unknown_url');
    });

    it('400 envelope for a URL with broken percent-encoding', async () => {
      const res = await api(h.gw).call('GET', '/v1/models/%E0%A4%A');
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error' });
    });
  });

  describe('upstream errors before the first byte keep their status', () => {
    it('429 passes through with retry-after, as a RateLimitError for the SDK', async () => {
      h.upstream.enqueue({
        status: 429,
        headers: { 'retry-after': '20' },
        json: jsonFixture('openai/error-429-rate-limit.json'),
      });
      const err = await h.client.chat.completions.create(hello as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      const e = err as InstanceType<typeof OpenAI.RateLimitError>;
      expect(e.headers?.get('retry-after')).toBe('20');
      expect(e.code).toBe('rate_limit_exceeded');
      expect(e.message).toContain('Rate limit reached');
    });

    it('429 on a stream request is a real 429, not a 200 stream', async () => {
      // Longer than the gateway waits for a retry: back to the client as it came.
      h.upstream.enqueue({
        status: 429,
        headers: { 'retry-after': '30' },
        json: jsonFixture('openai/error-429-rate-limit.json'),
      });
      const res = await call({ ...hello, stream: true });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('30');
      expect(h.upstream.requests).toHaveLength(1);
      expect(res.body.error.type).toBe('requests');
    });

    it('500 from upstream → 500 envelope (InternalServerError for the SDK)', async () => {
      const failing = {
        status: 500,
        json: {
          error: {
            message: 'The server had an error while processing your request.',
            type: 'server_error',
          },
        },
      };
      h.upstream.enqueue(failing, failing, failing); // the first try and two retries
      const err = await h.client.chat.completions.create(hello as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.InternalServerError);
      expect((err as InstanceType<typeof OpenAI.InternalServerError>).status).toBe(500);
    });

    it('an upstream 401 never echoes the upstream key and does not blame the caller key', async () => {
      h.upstream.enqueue({
        status: 401,
        json: {
          error: {
            message: `Incorrect API key provided: ${UPSTREAM_KEY}.`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        },
      });
      const res = await call(hello);
      expect(res.status).toBe(401);
      expect(JSON.stringify(res.body)).not.toContain(UPSTREAM_KEY);
      expect(res.body.error.code).toBe('upstream_authentication_error');
    });

    it('an upstream that does not answer in time → 504', async () => {
      const slow = { delayMs: 2500, json: jsonFixture('openai/chat-completion.json') };
      h.upstream.enqueue(slow, slow, slow); // the first try and two retries
      const res = await call(hello);
      expect(res.status).toBe(504);
      expect(res.body.error).toMatchObject({
        type: 'timeout_error',
        code: 'first_byte_timeout',
      });
    });

    it('an unreachable upstream → 502 without its address', async () => {
      const other = await startGateway({
        OPENAI_API_KEY: UPSTREAM_KEY,
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
        OPENAI_MODELS: 'gpt-4o-mini',
      });
      try {
        const res = await api(other).call('POST', CHAT, hello);
        expect(res.status).toBe(502);
        expect(JSON.stringify(res.body)).not.toContain('127.0.0.1');
        expect(res.body.error.code).toBe('upstream_unreachable');
      } finally {
        await other.close();
      }
    });
  });

  describe('streams', () => {
    it('an upstream dropping mid-stream becomes one error event, then the stream ends', async () => {
      const frames = sseFrames(fixture('openai/chat-stream-text-usage.sse'));
      h.upstream.enqueue({ frames, dropAfterFrames: 4, frameDelayMs: 10 });
      const res = await api(h.gw).chat({ ...hello, stream: true });
      expect(res.status).toBe(200);
      const events = sseEvents(await res.text());
      expectStreamConforms(events);
      expect(events.slice(0, 4).map((e) => e.object)).toEqual(
        Array(4).fill('chat.completion.chunk'),
      );
      expect(events).toHaveLength(5);
      const error = events[4].error;
      expect(error).toMatchObject({ type: 'upstream_error', code: 'upstream_unreachable' });
      // The same words as a connection that fails before the stream: the provider is named.
      expect(error.message).toMatch(
        /^Could not reach the upstream provider 'openai'( \(\w+\))?\.$/,
      );
    });

    it('a malformed event ends the stream with an error and drops an upstream that then stalls', async () => {
      const frames = sseFrames(fixture('openai/chat-stream-text-usage.sse')).slice(0, 2);
      frames.push('data: {"id": nope\n\n', 'data: [DONE]\n\n');
      h.upstream.enqueue({ frames, stallAfterFrames: 3 });
      const res = await api(h.gw).chat({ ...hello, stream: true });
      const events = sseEvents(await res.text());
      expectStreamConforms(events);
      expect(events.at(-1).error).toMatchObject({ code: 'upstream_invalid_response' });
      // The rest of the body is awaited briefly (so a healthy connection can be reused),
      // then the connection is dropped.
      for (let i = 0; i < 40 && h.upstream.abortedResponses === 0; i++) await sleep(100);
      expect(h.upstream.abortedResponses).toBe(1);
    });

    it('the SDK surfaces a mid-stream error event as an APIError', async () => {
      const frames = sseFrames(fixture('openai/chat-stream-text-no-usage.sse')).slice(0, 3);
      frames.push(
        'data: {"error":{"message":"The model is overloaded","type":"server_error","code":null}}\n\n',
      );
      h.upstream.enqueue({ frames });
      const stream = (await h.client.chat.completions.create({
        ...(hello as object),
        stream: true,
      } as never)) as unknown;
      const seen: string[] = [];
      const err = await (async () => {
        for await (const chunk of stream as AsyncIterable<{
          choices: Array<{ delta: { content?: string } }>;
        }>) {
          seen.push(chunk.choices[0]?.delta.content ?? '');
        }
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as Error).message).toContain('overloaded');
      expect(seen.join('')).toBe('Hello,');
    });

    it('sends heartbeat comments while the upstream is silent', async () => {
      const frames = sseFrames(fixture('openai/chat-stream-text-no-usage.sse'));
      h.upstream.enqueue({ frames, frameDelayMs: 120 });
      const res = await api(h.gw).chat({ ...hello, stream: true });
      const text = await res.text();
      expect(text).toContain(': keep-alive\n\n');
      expect(sseEvents(text).at(-1)).toBe('[DONE]');
    });

    it('a client that goes away aborts the upstream request at once', async () => {
      const frames = sseFrames(fixture('openai/chat-stream-text-no-usage.sse'));
      h.upstream.enqueue({ frames, stallAfterFrames: 2 });
      const res = await api(h.gw).chat({ ...hello, stream: true });
      const reader = res.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain('data: {');
      const sent = h.upstream.lastRequest();
      await sleep(50);
      expect(sent.aborted).toBe(false);
      await reader.cancel();
      for (let i = 0; i < 50 && !sent.aborted; i++) await sleep(20);
      expect(sent.aborted).toBe(true);
    });

    it('a client that goes away before a non-stream answer aborts the upstream too', async () => {
      h.upstream.enqueue({ delayMs: 1000, json: jsonFixture('openai/chat-completion.json') });
      const controller = new AbortController();
      const pending = fetch(`${h.gw.url}${CHAT}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${MASTER_KEY}`,
          'content-type': 'application/json',
          'x-request-id': 'gave-up-1',
        },
        body: JSON.stringify(hello),
        signal: controller.signal,
      }).catch(() => undefined);
      await sleep(100);
      controller.abort();
      await pending;
      const sent = h.upstream.lastRequest();
      for (let i = 0; i < 50 && !sent.aborted; i++) await sleep(20);
      expect(sent.aborted).toBe(true);
      // The log line says what the usage row says: no answer was sent (499), not a 200.
      expect(h.gw.logs.find((l) => l.req_id === 'gave-up-1')).toMatchObject({
        status: 499,
        error_type: 'client_closed',
        aborted: true,
      });
    });
  });

  it('writes one JSON log line per request with no secrets in it', async () => {
    h.upstream.enqueue({ json: jsonFixture('openai/chat-completion.json') });
    const res = await call(hello, { 'x-request-id': 'trace-abc-123' });
    expect(res.headers.get('x-request-id')).toBe('trace-abc-123');
    await sleep(20);
    const line = h.gw.logs.find((l) => l.req_id === 'trace-abc-123');
    expect(line).toMatchObject({
      msg: 'request',
      status: 200,
      provider: 'openai',
      model: 'gpt-4o-mini',
    });
    expect(line?.latency_ms).toBeGreaterThan(0);
    const all = JSON.stringify(h.gw.logs);
    expect(all).not.toContain(UPSTREAM_KEY);
    expect(all).not.toContain(MASTER_KEY);
  });
});
