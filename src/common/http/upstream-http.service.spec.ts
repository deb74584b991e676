import fc from 'fast-check';
import { loadConfig } from '../../config/config.js';
import { sseFrames, StandInUpstream } from '../../../test/support/stand-in-upstream.js';
import { ErrorCode, GatewayError } from '../errors/gateway-error.js';
import {
  isClientAbort,
  UpstreamHttp,
  urlUnderBase,
  type UpstreamRequest,
} from './upstream-http.service.js';

describe('urlUnderBase', () => {
  const base = 'https://gemini.example/google/api';

  it.each([
    `${base}/v1beta/models/gemini-2.5-pro:generateContent`,
    `${base}/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse`,
    `${base}/v1beta/models?pageSize=1000`,
    `${base}/chat/completions?api-version=2024-10-21`,
  ])('lets %s through', (url) => {
    expect(urlUnderBase(url, base)).toBe(new URL(url).href);
  });

  it('sends a `..` that stays under the base resolved, never as written', () => {
    // The guard bounds the path; refusing such a model id is the router's job.
    expect(
      urlUnderBase(`${base}/v1beta/models/openai/../gemini-2.5-pro:generateContent`, base),
    ).toBe(`${base}/v1beta/models/gemini-2.5-pro:generateContent`);
  });

  it.each([
    [`${base}/v1beta/models/../../../../evil:generateContent`, 'above the base'],
    [`${base}/v1beta/models/%2e%2e/%2e%2e/%2e%2e/%2e%2e/evil`, 'encoded dots'],
    [`${base}/%2E./evil`, 'mixed encoded dots'],
    [`${base}/v1beta/models/a%2F..%2F..%2Fevil`, 'encoded slashes'],
    [`${base}/v1beta/models/a%5cevil`, 'encoded backslash'],
    [`${base}/v1beta/models/a%2eevil`, 'encoded dot'],
    ['https://gemini.example/google/apix/v1beta', 'a sibling path sharing the prefix'],
    ['https://gemini.example/google', 'the parent'],
    ['https://evil.example/google/api/v1beta', 'another host'],
    ['http://gemini.example/google/api/v1beta', 'another scheme'],
    ['https://gemini.example:444/google/api/v1beta', 'another port'],
    ['https://user@gemini.example/google/api/v1beta', 'credentials added'],
    ['not a url', 'unparsable'],
  ])('refuses %s (%s)', (url) => {
    expect(urlUnderBase(url, base)).toBeUndefined();
  });

  it('never returns a URL whose path leaves the base, for any appended text', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom('..', '.', '%2e%2e', '%2E.', '%2f', '/', '\\', '?', '#', '@', ':', 'x'),
            fc.string({ unit: 'binary', maxLength: 3 }),
          ),
          { maxLength: 8 },
        ),
        (parts) => {
          const out = urlUnderBase(`${base}/${parts.join('')}`, base);
          if (out === undefined) return;
          const url = new URL(out);
          expect(url.origin).toBe('https://gemini.example');
          expect(url.pathname === '/google/api' || url.pathname.startsWith('/google/api/')).toBe(
            true,
          );
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('UpstreamHttp', () => {
  it('refuses to send a request outside its base, before any connection', async () => {
    const http = new UpstreamHttp(loadConfig({ TOLLGATE_AUTH: 'disabled' }));
    try {
      const err = await http
        .send({
          provider: 'gemini',
          method: 'POST',
          url: 'http://127.0.0.1:9/google/api/../evil',
          base: 'http://127.0.0.1:9/google/api',
          headers: {},
          signal: new AbortController().signal,
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GatewayError);
      expect(err).toMatchObject({
        code: ErrorCode.InvalidRequest,
        wireCode: 'upstream_url_refused',
        message:
          "Refused to send a request outside the configured base URL of the provider 'gemini'.",
      });
    } finally {
      await http.onModuleDestroy();
    }
  });
});

describe('UpstreamHttp.readSse', () => {
  const FRAMES = sseFrames('data: {"n":1}\n\ndata: {"n":2}\n\ndata: {"n":3}\n\ndata: [DONE]\n\n');
  let upstream: StandInUpstream;
  let http: UpstreamHttp;

  beforeAll(async () => {
    upstream = await StandInUpstream.start();
    http = new UpstreamHttp(loadConfig({ TOLLGATE_AUTH: 'disabled', TOLLGATE_TIMEOUT_MS: '300' }));
  });
  afterAll(async () => {
    await http.onModuleDestroy();
    await upstream.stop();
  });
  afterEach(() => upstream.reset());

  const request = (signal = new AbortController().signal): UpstreamRequest => ({
    provider: 'acme',
    method: 'POST',
    url: `${upstream.url}/v1/chat/completions`,
    base: `${upstream.url}/v1`,
    headers: {},
    body: '{}',
    signal,
  });

  /** The data of every event read, and what ended the read (undefined: the stream's end). */
  async function readAll(req: UpstreamRequest, onEvent?: (data: string) => void) {
    const res = await http.send(req);
    const seen: string[] = [];
    try {
      for await (const e of http.readSse(res, req)) {
        seen.push(e.data);
        onEvent?.(e.data);
      }
      return { seen, error: undefined };
    } catch (error) {
      return { seen, error };
    }
  }

  it('yields every event of a stream that ends normally', async () => {
    upstream.enqueue({ frames: FRAMES });
    expect(await readAll(request())).toEqual({
      seen: ['{"n":1}', '{"n":2}', '{"n":3}', '[DONE]'],
      error: undefined,
    });
  });

  it('turns a connection lost mid-stream into the error that names the provider', async () => {
    upstream.enqueue({ frames: FRAMES, dropAfterFrames: 2, frameDelayMs: 10 });
    const { seen, error } = await readAll(request());
    expect(seen).toEqual(['{"n":1}', '{"n":2}']);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: ErrorCode.UpstreamUnreachable });
    expect((error as GatewayError).message).toMatch(
      /^Could not reach the upstream provider 'acme'( \(\w+\))?\.$/,
    );
    expect((error as GatewayError).message).not.toContain('127.0.0.1');
  });

  it('turns an upstream that stops sending into the timeout that names the provider', async () => {
    upstream.enqueue({ frames: FRAMES, stallAfterFrames: 1 });
    const { seen, error } = await readAll(request());
    expect(seen).toEqual(['{"n":1}']);
    expect(error).toMatchObject({
      code: ErrorCode.UpstreamTimeout,
      message: "The upstream provider 'acme' did not answer in time.",
    });
  });

  it('reports a client that went away mid-stream as a client abort, not an upstream failure', async () => {
    upstream.enqueue({ frames: FRAMES, frameDelayMs: 20 });
    const client = new AbortController();
    const { seen, error } = await readAll(request(client.signal), () => client.abort());
    expect(seen).toEqual(['{"n":1}']);
    expect(isClientAbort(error)).toBe(true);
  });
});

describe('UpstreamHttp.translateError', () => {
  const http = new UpstreamHttp(loadConfig({}));
  afterAll(() => http.onModuleDestroy());
  const req = (signal: AbortSignal) =>
    ({
      provider: 'p',
      method: 'POST',
      url: 'http://p',
      base: 'http://p',
      headers: {},
      signal,
    }) as const;

  it("reports an attempt's own deadline as the timeout it aborted with", () => {
    const timeout = new GatewayError(ErrorCode.UpstreamTimeout, 'late', {
      wireCode: 'first_byte_timeout',
    });
    const c = new AbortController();
    c.abort(timeout);
    expect(http.translateError(new Error('aborted'), req(c.signal))).toBe(timeout);
  });

  it('reports any other abort as the client leaving', () => {
    const c = new AbortController();
    c.abort();
    const err = http.translateError(new Error('aborted'), req(c.signal));
    expect(err.message).toBe('client closed the connection');
  });

  it('names the kind of undici timeout in the wire code', () => {
    const err = http.translateError(
      Object.assign(new Error('connect'), { code: 'UND_ERR_CONNECT_TIMEOUT' }),
      req(new AbortController().signal),
    );
    expect([err.code, err.wireCode]).toEqual([ErrorCode.UpstreamTimeout, 'connect_timeout']);
  });
});
