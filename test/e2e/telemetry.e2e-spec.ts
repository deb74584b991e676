import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TelemetryService } from '../../src/telemetry/telemetry.service.js';
import { fixture, jsonFixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import {
  OtlpReceiver,
  SPAN_KIND_CLIENT,
  SPAN_KIND_SERVER,
  STATUS_ERROR,
  type ReceivedSpan,
} from '../support/otlp-receiver.js';
import { sseEvents } from '../support/http.js';
import { sseFrames, StandInUpstream, type ScriptedResponse } from '../support/stand-in-upstream.js';

const CONFIG = `
retries: 1
retry_backoff: { base_ms: 1, max_ms: 2 }
`;

const PROMPT = 'What is the capital of France? (a question no span may carry)';
const HELLO = [{ role: 'user' as const, content: PROMPT }];
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
const TRACESTATE = 'vendor=opaque-value';

const openaiJson = (): ScriptedResponse => ({ json: jsonFixture('openai/chat-completion.json') });
const openaiStream = (): ScriptedResponse => ({
  frames: sseFrames(fixture('openai/chat-stream-text-usage.sse')),
});
const anthropicJson = (): ScriptedResponse => ({
  json: jsonFixture('anthropic/message-text.json'),
});
const anthropicStream = (): ScriptedResponse => ({
  frames: sseFrames(fixture('anthropic/messages-stream-text-padded.sse')),
});
const geminiJson = (): ScriptedResponse => ({
  json: jsonFixture('gemini/generate-content-text.json'),
});
const geminiStream = (): ScriptedResponse => ({
  frames: sseFrames(fixture('gemini/stream-text.sse')),
});
const failure = (code: number): ScriptedResponse => ({
  status: code,
  json: { error: { message: `upstream said ${code}`, type: 'server_error' } },
});

/** Text of the answers the stand-ins give, which no span may carry either. */
const COMPLETION_TEXT = ['Paris is the capital', 'relays every token'];

function env(upstream: string, receiver: string, extra: Record<string, string> = {}) {
  const file = join(mkdtempSync(join(tmpdir(), 'tg-otel-')), 'tollgate.yaml');
  writeFileSync(file, CONFIG);
  return {
    TOLLGATE_CONFIG: file,
    OPENAI_API_KEY: 'sk-openai-upstream-0000000000',
    OPENAI_BASE_URL: `${upstream}/v1`,
    OPENAI_MODELS: 'gpt-4o-mini,gpt-4.1-nano,flaky,broken',
    ANTHROPIC_API_KEY: 'sk-ant-api03-upstream-0000000000',
    ANTHROPIC_BASE_URL: `${upstream}/anthropic`,
    ANTHROPIC_MODELS: 'claude-sonnet-4-5',
    GEMINI_API_KEY: 'AIzaSy-gemini-upstream-00000000000',
    GEMINI_BASE_URL: `${upstream}/gemini`,
    GEMINI_MODELS: 'gemini-2.5-flash',
    ...(receiver === ''
      ? {}
      : {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_BSP_SCHEDULE_DELAY: '10',
          OTEL_SERVICE_NAME: 'tollgate-e2e',
        }),
    ...extra,
  };
}

const chat = (
  gw: RunningGateway,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${MASTER_KEY}`,
      'content-type': 'application/json',
      ...headers,
    },
    body: JSON.stringify(body),
    signal,
  });

/** The one usage row of a request (rows are written in batches, a moment later). */
async function rowFor(gw: RunningGateway, requestId: string | null): Promise<Record<string, any>> {
  expect(requestId).toMatch(/^req_/);
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${gw.url}/admin/usage/log?limit=1000`, {
      headers: { authorization: `Bearer ${MASTER_KEY}` },
    });
    const { data } = (await res.json()) as { data: Array<Record<string, any>> };
    const row = data.find((r) => r.request_id === requestId);
    if (row) return row;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no usage row for ${requestId}`);
}

/** The request's log line (written once its response is over). */
async function logFor(gw: RunningGateway, requestId: string | null): Promise<Record<string, any>> {
  for (let i = 0; i < 200; i++) {
    const line = gw.logs.find((l) => l.msg === 'request' && l.req_id === requestId);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no log line for ${requestId}`);
}

const serverSpan = (spans: ReceivedSpan[]): ReceivedSpan => {
  const found = spans.filter((s) => s.kind === SPAN_KIND_SERVER);
  expect(found).toHaveLength(1);
  return found[0];
};
const clientSpans = (spans: ReceivedSpan[]): ReceivedSpan[] =>
  spans.filter((s) => s.kind === SPAN_KIND_CLIENT);

/** The server span of a request (by its id) and the spans under it, once `count` arrived. */
async function spansOfRequest(
  receiver: OtlpReceiver,
  requestId: string | null,
  count: number,
): Promise<{ server: ReceivedSpan; children: ReceivedSpan[] }> {
  const serverOf = (all: ReceivedSpan[]) =>
    all.find(
      (s) => s.kind === SPAN_KIND_SERVER && s.attributes['tollgate.request_id'] === requestId,
    );
  const childrenOf = (all: ReceivedSpan[], server: ReceivedSpan) =>
    all.filter((s) => s.parentSpanId === server.spanId && s.traceId === server.traceId);
  const all = await receiver.waitFor((spans) => {
    const server = serverOf(spans);
    return server !== undefined && 1 + childrenOf(spans, server).length >= count;
  });
  const server = serverOf(all)!;
  return { server, children: childrenOf(all, server) };
}

/** Every string attribute of every span, to check no text of the exchange is in any. */
const attributeText = (spans: ReceivedSpan[]): string =>
  JSON.stringify(spans.map((s) => s.attributes));

describe('OpenTelemetry tracing (OTLP/HTTP to an in-process receiver)', () => {
  let receiver: OtlpReceiver;
  let upstream: StandInUpstream;
  let gw: RunningGateway;

  beforeAll(async () => {
    [receiver, upstream] = await Promise.all([OtlpReceiver.start(), StandInUpstream.start()]);
    gw = await startGateway(env(upstream.url, receiver.url));
  });
  afterEach(() => upstream.reset());
  afterAll(async () => {
    await gw?.close();
    await Promise.all([upstream?.stop(), receiver?.stop()]);
  });

  it('continues the caller trace: server span under its span, client span under that, upstream under the client span', async () => {
    upstream.enqueue(openaiJson());
    const res = await chat(
      gw,
      { model: 'openai/gpt-4o-mini', messages: HELLO, max_tokens: 50, temperature: 0.2 },
      { traceparent: TRACEPARENT, tracestate: TRACESTATE },
    );
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id');

    const spans = await receiver.trace(CALLER_TRACE, 2);
    const server = serverSpan(spans);
    const [client] = clientSpans(spans);
    expect(server).toMatchObject({
      name: 'POST /v1/chat/completions',
      parentSpanId: CALLER_SPAN,
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/v1/chat/completions',
        'http.response.status_code': 200,
        'url.path': '/v1/chat/completions',
        'tollgate.request_id': requestId,
      },
    });
    expect(server.statusCode).not.toBe(STATUS_ERROR);
    expect(server.resource['service.name']).toBe('tollgate-e2e');
    expect(client).toMatchObject({
      name: 'chat gpt-4o-mini',
      parentSpanId: server.spanId,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.request.max_tokens': 50,
        'gen_ai.request.temperature': 0.2,
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.response.id': 'chatcmpl-TGfx04StandInRecording0004',
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.usage.input_tokens': 24,
        'gen_ai.usage.output_tokens': 8,
        'server.address': '127.0.0.1',
        'server.port': Number(new URL(upstream.url).port),
        'tollgate.provider': 'openai',
        'tollgate.attempt': 1,
      },
    });
    expect(client.attributes).not.toHaveProperty('error.type');

    // The upstream saw the client span as its parent, the caller's tracestate, and the request id.
    const sent = upstream.lastRequest().headers;
    expect(sent.traceparent).toBe(`00-${CALLER_TRACE}-${client.spanId}-01`);
    expect(sent.tracestate).toBe(TRACESTATE);
    expect(sent['x-request-id']).toBe(requestId);

    expect((await rowFor(gw, requestId)).trace_id).toBe(CALLER_TRACE);
    expect((await logFor(gw, requestId)).trace_id).toBe(CALLER_TRACE);
    expect(attributeText(spans)).not.toContain('capital of France');
    expect(attributeText(spans)).not.toContain('Paris');
  });

  it('starts a trace of its own for a streamed OpenAI call; finish reasons and usage from the stream', async () => {
    upstream.enqueue(openaiStream());
    const res = await chat(gw, { model: 'openai/gpt-4.1-nano', messages: HELLO, stream: true });
    expect(res.status).toBe(200);
    const events = sseEvents(await res.text());
    expect(events.at(-1)).toBe('[DONE]');
    const requestId = res.headers.get('x-request-id');

    const traceId = (await logFor(gw, requestId)).trace_id as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect((await rowFor(gw, requestId)).trace_id).toBe(traceId);
    const spans = await receiver.trace(traceId, 2);
    const server = serverSpan(spans);
    const [client] = clientSpans(spans);
    expect(server.parentSpanId).toBe('');
    expect(client.parentSpanId).toBe(server.spanId);
    expect(client.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4.1-nano',
      'gen_ai.response.model': 'gpt-4.1-nano-2025-04-14',
      'gen_ai.response.id': 'chatcmpl-TGfx02StandInRecording0002',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 19,
      'gen_ai.usage.output_tokens': 9,
    });
    expect(upstream.lastRequest().headers.traceparent).toBe(`00-${traceId}-${client.spanId}-01`);
    expect(upstream.lastRequest().headers.tracestate).toBeUndefined();
    for (const text of COMPLETION_TEXT) expect(attributeText(spans)).not.toContain(text);
    expect(attributeText(spans)).not.toContain('capital of France');
  });

  it.each([
    {
      name: 'Anthropic, non-streamed',
      model: 'anthropic/claude-sonnet-4-5',
      provider: 'anthropic',
      stream: false,
      respond: anthropicJson,
      responseModel: 'claude-sonnet-4-5-20250929',
      path: '/anthropic/v1/messages',
    },
    {
      name: 'Anthropic, streamed',
      model: 'anthropic/claude-sonnet-4-5',
      provider: 'anthropic',
      stream: true,
      respond: anthropicStream,
      responseModel: 'claude-sonnet-4-20250514',
      path: '/anthropic/v1/messages',
    },
    {
      name: 'Gemini, non-streamed',
      model: 'gemini/gemini-2.5-flash',
      provider: 'gcp.gemini',
      stream: false,
      respond: geminiJson,
      responseModel: 'gemini-2.5-flash',
      path: '/gemini/v1beta/models/gemini-2.5-flash:generateContent',
    },
    {
      name: 'Gemini, streamed',
      model: 'gemini/gemini-2.5-flash',
      provider: 'gcp.gemini',
      stream: true,
      respond: geminiStream,
      responseModel: 'gemini-2.5-flash',
      path: '/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    },
  ])(
    '$name: its provider name, model and usage, under the caller trace',
    async ({ model, provider, stream, respond, responseModel, path }) => {
      upstream.enqueue(respond());
      const res = await chat(
        gw,
        {
          model,
          messages: HELLO,
          stream,
          ...(stream ? { stream_options: { include_usage: true } } : {}),
        },
        { traceparent: TRACEPARENT },
      );
      expect(res.status).toBe(200);
      const usage = stream
        ? sseEvents(await res.text()).find((e) => e !== '[DONE]' && e.usage)?.usage
        : ((await res.json()) as { usage: Record<string, number> }).usage;
      expect(usage.prompt_tokens).toBeGreaterThan(0);
      expect(usage.completion_tokens).toBeGreaterThan(0);
      const requestId = res.headers.get('x-request-id');
      expect((await rowFor(gw, requestId)).trace_id).toBe(CALLER_TRACE);

      const requestModel = model.slice(model.indexOf('/') + 1);
      const {
        server,
        children: [client],
      } = await spansOfRequest(receiver, requestId, 2);
      expect(client).toMatchObject({
        kind: SPAN_KIND_CLIENT,
        traceId: CALLER_TRACE,
        name: `chat ${requestModel}`,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': provider,
          'gen_ai.request.model': requestModel,
          'gen_ai.response.model': responseModel,
          'gen_ai.response.finish_reasons': ['stop'],
          'gen_ai.usage.input_tokens': usage.prompt_tokens,
          'gen_ai.usage.output_tokens': usage.completion_tokens,
        },
      });
      expect(upstream.lastRequest().path).toBe(path);
      expect(upstream.lastRequest().headers.traceparent).toBe(
        `00-${CALLER_TRACE}-${client.spanId}-01`,
      );
      const text = attributeText([server, client]);
      expect(text).not.toContain('capital of France');
      expect(text).not.toContain('upstream-0000'); // the upstream keys
    },
  );

  it('one client span per attempt: a retried 500 has error.type 500, the retry serves', async () => {
    upstream.enqueue(failure(500), openaiJson());
    const res = await chat(gw, { model: 'openai/flaky', messages: HELLO });
    expect(res.status).toBe(200);
    const traceId = (await logFor(gw, res.headers.get('x-request-id'))).trace_id as string;
    const spans = await receiver.trace(traceId, 3);
    const server = serverSpan(spans);
    const attempts = clientSpans(spans).sort(
      (a, b) => Number(a.attributes['tollgate.attempt']) - Number(b.attributes['tollgate.attempt']),
    );
    expect(attempts.map((s) => [s.parentSpanId, s.attributes['tollgate.attempt']])).toEqual([
      [server.spanId, 1],
      [server.spanId, 2],
    ]);
    expect(attempts[0].attributes['error.type']).toBe('500');
    expect(attempts[0].statusCode).toBe(STATUS_ERROR);
    expect(attempts[1].attributes).not.toHaveProperty('error.type');
    expect(attempts[1].attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    // Each attempt went out under its own span.
    expect(upstream.requests.map((r) => r.headers.traceparent)).toEqual(
      attempts.map((s) => `00-${traceId}-${s.spanId}-01`),
    );
  });

  it('an upstream that keeps failing: every attempt and the server span carry the error', async () => {
    upstream.enqueue(failure(500), failure(500));
    const res = await chat(gw, { model: 'openai/broken', messages: HELLO });
    expect(res.status).toBe(500);
    const traceId = (await logFor(gw, res.headers.get('x-request-id'))).trace_id as string;
    const spans = await receiver.trace(traceId, 3);
    const server = serverSpan(spans);
    expect(server.attributes).toMatchObject({
      'http.response.status_code': 500,
      'error.type': 'upstream_error',
    });
    expect(server.statusCode).toBe(STATUS_ERROR);
    const attempts = clientSpans(spans);
    expect(attempts).toHaveLength(2);
    for (const a of attempts) {
      expect(a.attributes['error.type']).toBe('500');
      expect(a.statusCode).toBe(STATUS_ERROR);
    }
  });

  it('ends both spans when the client leaves mid-stream', async () => {
    upstream.enqueue({ ...openaiStream(), frameDelayMs: 5, stallAfterFrames: 4 });
    const abort = new AbortController();
    const res = await chat(
      gw,
      { model: 'openai/gpt-4.1-nano', messages: HELLO, stream: true },
      {},
      abort.signal,
    );
    expect(res.status).toBe(200);
    await res.body!.getReader().read();
    abort.abort();
    const {
      server,
      children: [client],
    } = await spansOfRequest(receiver, res.headers.get('x-request-id'), 2);
    expect(server.attributes).toMatchObject({
      'http.response.status_code': 200,
      'error.type': 'client_closed',
    });
    expect(client.attributes).toMatchObject({
      'error.type': 'client_closed',
      'gen_ai.response.model': 'gpt-4.1-nano-2025-04-14',
    });
    expect(client.attributes).not.toHaveProperty('gen_ai.response.finish_reasons');
  });

  it('traces a request refused before routing (401), with no client span', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { traceparent: TRACEPARENT, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: HELLO }),
    });
    expect(res.status).toBe(401);
    const requestId = res.headers.get('x-request-id');
    const { server, children } = await spansOfRequest(receiver, requestId, 1);
    expect(server).toMatchObject({
      traceId: CALLER_TRACE,
      parentSpanId: CALLER_SPAN,
      attributes: { 'http.response.status_code': 401 },
    });
    expect(children).toHaveLength(0);
    expect(upstream.requests).toHaveLength(0);
  });

  it('does not trace health probes or metrics scrapes', async () => {
    const before = receiver.spans.length;
    await fetch(`${gw.url}/health`);
    await fetch(`${gw.url}/ready`);
    await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });
    const spans = await receiver.waitFor((all) =>
      all.slice(before).some((s) => s.attributes['url.path'] === '/v1/models'),
    );
    const paths = spans.slice(before).map((s) => s.attributes['url.path']);
    expect(paths).not.toContain('/health');
    expect(paths).not.toContain('/ready');
  });

  it('tracing is on: the SDK was loaded', () => {
    expect(gw.app.get(TelemetryService).tracingOn).toBe(true);
  });
});

describe('OpenTelemetry content capture (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true)', () => {
  let receiver: OtlpReceiver;
  let upstream: StandInUpstream;
  let gw: RunningGateway;

  beforeAll(async () => {
    [receiver, upstream] = await Promise.all([OtlpReceiver.start(), StandInUpstream.start()]);
    gw = await startGateway(
      env(upstream.url, receiver.url, {
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
      }),
    );
  });
  afterAll(async () => {
    await gw?.close();
    await Promise.all([upstream?.stop(), receiver?.stop()]);
  });

  it('puts the prompt and the completion on the client span, in the conventions’ message shape', async () => {
    upstream.enqueue(openaiJson());
    const res = await chat(gw, { model: 'openai/gpt-4o-mini', messages: HELLO });
    expect(res.status).toBe(200);
    const {
      server,
      children: [client],
    } = await spansOfRequest(receiver, res.headers.get('x-request-id'), 2);
    expect(JSON.parse(client.attributes['gen_ai.input.messages'] as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: PROMPT }] },
    ]);
    expect(JSON.parse(client.attributes['gen_ai.output.messages'] as string)).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: 'Paris is the capital of France.' }],
        finish_reason: 'stop',
      },
    ]);
    // Never on the server span.
    expect(JSON.stringify(server.attributes)).not.toContain('capital');
  });

  it('captures a stream’s text as relayed', async () => {
    upstream.enqueue(openaiStream());
    const res = await chat(gw, { model: 'openai/gpt-4.1-nano', messages: HELLO, stream: true });
    await res.text();
    const {
      children: [client],
    } = await spansOfRequest(receiver, res.headers.get('x-request-id'), 2);
    expect(JSON.parse(client.attributes['gen_ai.output.messages'] as string)).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: 'The gateway relays every token as it arrives.' }],
        finish_reason: 'stop',
      },
    ]);
  });
});

describe('tracing off (no OTLP endpoint)', () => {
  let upstream: StandInUpstream;
  let gw: RunningGateway;

  beforeAll(async () => {
    upstream = await StandInUpstream.start();
    gw = await startGateway(env(upstream.url, ''));
  });
  afterEach(() => upstream.reset());
  afterAll(async () => {
    await gw?.close();
    await upstream?.stop();
  });

  it('loads nothing of the SDK', () => {
    expect(gw.app.get(TelemetryService).tracingOn).toBe(false);
  });

  it('invents no traceparent upstream, and records no trace id; x-request-id still goes upstream', async () => {
    upstream.enqueue(openaiJson());
    const res = await chat(gw, { model: 'openai/gpt-4o-mini', messages: HELLO });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id');
    const sent = upstream.lastRequest().headers;
    expect(sent.traceparent).toBeUndefined();
    expect(sent.tracestate).toBeUndefined();
    expect(sent['x-request-id']).toBe(requestId);
    expect((await rowFor(gw, requestId)).trace_id).toBeNull();
    expect(await logFor(gw, requestId)).not.toHaveProperty('trace_id');
  });

  it.each([
    ['OpenAI, streamed', 'openai/gpt-4.1-nano', true],
    ['Anthropic', 'anthropic/claude-sonnet-4-5', false],
  ])(
    '%s: passes the caller’s traceparent upstream unchanged and records its trace id',
    async (_n, model, stream) => {
      upstream.enqueue(
        model.startsWith('anthropic') ? anthropicJson() : stream ? openaiStream() : openaiJson(),
      );
      const requestId = `req_caller-${model.replace('/', '-')}`;
      const res = await chat(
        gw,
        { model, messages: HELLO, stream },
        { traceparent: TRACEPARENT, tracestate: TRACESTATE, 'x-request-id': requestId },
      );
      expect(res.status).toBe(200);
      await res.text();
      const sent = upstream.lastRequest().headers;
      expect(sent.traceparent).toBe(TRACEPARENT);
      expect(sent.tracestate).toBe(TRACESTATE);
      expect(sent['x-request-id']).toBe(requestId);
      expect((await rowFor(gw, requestId)).trace_id).toBe(CALLER_TRACE);
      expect((await logFor(gw, requestId)).trace_id).toBe(CALLER_TRACE);
    },
  );

  it('drops an invalid traceparent instead of passing it on', async () => {
    upstream.enqueue(openaiJson());
    const res = await chat(
      gw,
      { model: 'openai/gpt-4o-mini', messages: HELLO },
      { traceparent: `00-${'0'.repeat(32)}-${CALLER_SPAN}-01` },
    );
    expect(res.status).toBe(200);
    expect(upstream.lastRequest().headers.traceparent).toBeUndefined();
    expect((await rowFor(gw, res.headers.get('x-request-id'))).trace_id).toBeNull();
  });
});
