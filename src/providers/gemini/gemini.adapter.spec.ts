import { Readable } from 'node:stream';
import type {
  ChatCompletionChunk,
  ChatCompletionRequest,
  Usage,
} from '../../openai/chat-completion.types.js';
import { ErrorCode } from '../../common/errors/gateway-error.js';
import { readSse } from '../../common/sse/sse-reader.js';
import type {
  UpstreamHttp,
  UpstreamRequest,
  UpstreamResponse,
} from '../../common/http/upstream-http.service.js';
import type { ProviderConfig } from '../../config/config.js';
import { fixture } from '../../../test/support/fixtures.js';
import { framesFromJsonl } from '../../../test/support/stand-in-upstream.js';
import type { UpstreamCall } from '../provider-adapter.js';
import { GeminiAdapter } from './gemini.adapter.js';

const KEY = 'AIzaSyTollgateUpstreamKey000000000000';
const config: ProviderConfig = {
  name: 'gemini',
  type: 'gemini',
  baseUrl: 'https://generativelanguage.example',
  apiKey: KEY,
  headers: { 'x-team': 'search' },
};

interface Scripted {
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

/** An UpstreamHttp that records requests and answers from a script. */
class FakeHttp {
  readonly requests: UpstreamRequest[] = [];
  constructor(private readonly script: Scripted[]) {}

  async send(req: UpstreamRequest): Promise<UpstreamResponse> {
    this.requests.push(req);
    const next = this.script.shift();
    if (!next) throw new Error(`no scripted answer for ${req.url}`);
    return {
      status: next.status ?? 200,
      headers: next.headers ?? { 'content-type': 'application/json; charset=UTF-8' },
      body: Readable.from([Buffer.from(next.body)]) as unknown as UpstreamResponse['body'],
    };
  }

  async readText(res: UpstreamResponse): Promise<string> {
    const parts: Buffer[] = [];
    for await (const p of res.body as unknown as AsyncIterable<Buffer>) parts.push(p);
    return Buffer.concat(parts).toString('utf8');
  }

  readSse(res: UpstreamResponse): ReturnType<UpstreamHttp['readSse']> {
    return readSse(res.body);
  }
}

function adapterWith(...script: Scripted[]): { adapter: GeminiAdapter; http: FakeHttp } {
  const http = new FakeHttp(script);
  const adapter = new GeminiAdapter(config, http as unknown as UpstreamHttp, {
    now: () => 1_774_000_000_500,
    newId: () => 'chatcmpl-test',
  });
  return { adapter, http };
}

function callFor(body: ChatCompletionRequest, extra: Partial<UpstreamCall> = {}): UpstreamCall {
  return {
    body,
    model: body.model,
    signal: new AbortController().signal,
    clientHeaders: {},
    requestId: 'req_test',
    ...extra,
  };
}

/** The request as it went out, the body parsed. */
const sent = (req: UpstreamRequest) => ({
  ...req,
  signal: undefined,
  body: JSON.parse(req.body ?? 'null') as unknown,
});

const question: ChatCompletionRequest = {
  model: 'gemini-3-pro-preview',
  messages: [
    { role: 'developer', content: 'Use the weather tool.' },
    { role: 'user', content: 'Weather in Oslo and Lima?' },
  ],
  tools: [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string' }, unit: { enum: ['c', 'f'] } },
        },
      },
    },
  ],
  tool_choice: 'required',
  reasoning_effort: 'low',
};

describe('GeminiAdapter', () => {
  it('complete: posts generateContent with x-goog-api-key and translates the answer', async () => {
    const { adapter, http } = adapterWith({
      body: fixture('gemini/generate-content-parallel-function-calls.json'),
    });
    let headersSeen = 0;
    const onUpstreamHeaders = () => void headersSeen++;
    const completion = await adapter.complete(callFor(question, { onUpstreamHeaders }));
    expect(http.requests.map(sent)).toMatchSnapshot('upstream request');
    expect(completion).toMatchSnapshot('completion');
    expect(http.requests[0].url).toBe(
      'https://generativelanguage.example/v1beta/models/gemini-3-pro-preview:generateContent',
    );
    expect(http.requests[0].headers).toMatchObject({
      'x-goog-api-key': KEY,
      'x-team': 'search',
      'x-request-id': 'req_test',
    });
    expect(http.requests[0].headers).not.toHaveProperty('authorization');
    expect(http.requests[0].headers).not.toHaveProperty('traceparent');
    expect(headersSeen).toBe(1);
    expect(completion.created).toBe(1_774_000_000);
  });

  it('passes the trace headers of the attempt upstream', async () => {
    const { adapter, http } = adapterWith({ body: fixture('gemini/generate-content-text.json') });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await adapter.complete(callFor(question, { traceHeaders: { traceparent, tracestate: 'a=1' } }));
    expect(http.requests[0].headers).toMatchObject({
      traceparent,
      tracestate: 'a=1',
      'x-request-id': 'req_test',
    });
  });

  it('stream: posts streamGenerateContent?alt=sse and yields chunks, reporting usage as it grows', async () => {
    const { adapter, http } = adapterWith({
      headers: { 'content-type': 'text/event-stream' },
      body: framesFromJsonl(fixture('gemini/stream-parallel-function-calls.jsonl')).join(''),
    });
    const reported: Usage[] = [];
    const chunks: ChatCompletionChunk[] = [];
    const stream = await adapter.stream(
      callFor({ ...question, stream: true }, { reportUsage: (u) => reported.push(u) }),
    );
    for await (const { chunk } of stream) if (chunk) chunks.push(chunk);
    expect(http.requests.map(sent)).toMatchSnapshot('upstream request');
    expect(http.requests[0].url).toBe(
      'https://generativelanguage.example/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse',
    );
    expect(http.requests[0].headers.accept).toBe('text/event-stream');
    expect(chunks.filter((c) => c.usage)).toHaveLength(1);
    expect(reported.at(-1)).toEqual(chunks.at(-1)?.usage);
  });

  it('rejects an untranslatable request before anything is sent', async () => {
    const { adapter, http } = adapterWith();
    await expect(
      adapter.complete(callFor({ ...question, logit_bias: { '1': 5 } })),
    ).rejects.toMatchObject({
      code: ErrorCode.Unsupported,
      param: 'logit_bias',
    });
    await expect(
      adapter.stream(
        callFor({
          ...question,
          messages: [
            {
              role: 'user',
              content: [{ type: 'image_url', image_url: { url: 'http://10.0.0.1/a.png' } }],
            },
          ],
        }),
      ),
    ).rejects.toMatchObject({ param: 'messages[0].content[0].image_url' });
    expect(http.requests).toHaveLength(0);
  });

  it('maps an upstream error before the stream starts, with its real status', async () => {
    const { adapter } = adapterWith({
      status: 429,
      body: fixture('gemini/error-429-resource-exhausted.json'),
    });
    await expect(adapter.stream(callFor({ ...question, stream: true }))).rejects.toMatchObject({
      status: 429,
      retryAfter: '27',
    });
  });

  it('turns a 200 that is not an event stream into an error', async () => {
    const { adapter } = adapterWith({ body: fixture('gemini/error-503-unavailable.json') });
    await expect(adapter.stream(callFor({ ...question, stream: true }))).rejects.toMatchObject({
      status: 503,
    });
  });

  it('refuses a non-JSON answer', async () => {
    const { adapter } = adapterWith({ body: '<html>oops</html>' });
    await expect(adapter.complete(callFor(question))).rejects.toMatchObject({
      code: ErrorCode.UpstreamInvalidResponse,
    });
  });

  it('listModels: follows nextPageToken and keeps generateContent models', async () => {
    const { adapter, http } = adapterWith(
      { body: fixture('gemini/models-page-1.json') },
      { body: fixture('gemini/models-page-2.json') },
    );
    expect(await adapter.listModels(new AbortController().signal)).toEqual([
      'gemini-2.5-flash',
      'gemini-2.5-pro',
      'gemini-3-pro-preview',
      'gemma-3-27b-it',
    ]);
    expect(http.requests.map((r) => [r.method, r.url, r.headers['x-goog-api-key']])).toEqual([
      ['GET', 'https://generativelanguage.example/v1beta/models?pageSize=1000', KEY],
      [
        'GET',
        'https://generativelanguage.example/v1beta/models?pageSize=1000&pageToken=Ch5tb2RlbHMvZ2VtaW5pLTIuNS1wcm8tcGFnZS10d28',
        KEY,
      ],
    ]);
  });

  it('listModels: an invalid key is a 401 that does not echo the key', async () => {
    const { adapter } = adapterWith({
      status: 400,
      body: fixture('gemini/error-400-api-key-invalid.json'),
    });
    const err = await adapter.listModels(new AbortController().signal).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 401 });
    expect(JSON.stringify(err)).not.toContain(KEY);
    expect((err as Error).message).not.toContain(KEY);
  });
});
