import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { fixture, jsonFixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { sseEvents } from '../support/http.js';
import { expectStreamConforms } from '../support/openapi-conformance.js';
import { rawExchange } from '../support/raw-http.js';
import { sseFrames, StandInUpstream } from '../support/stand-in-upstream.js';

/**
 * The HTTP edge as the interface states it, tried over raw sockets: credentials before
 * the body, the body timeout, nesting depth, compressed bodies, `Connection: close` and
 * HTTP/1.0, and the envelope while shutting down.
 */
const hello = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

function post(
  body: string | Buffer,
  headers: Record<string, string | number>,
  version = '1.1',
): Array<string | Buffer> {
  const head =
    `POST /v1/chat/completions HTTP/${version}\r\nhost: localhost\r\n` +
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    '\r\n';
  return [head, body];
}

function jsonPost(body: Buffer | string, extra: Record<string, string | number> = {}) {
  return post(body, {
    authorization: `Bearer ${MASTER_KEY}`,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...extra,
  });
}

/** JSON text of arrays nested `depth` deep (built as text: JSON.stringify would overflow). */
function nested(depth: number): string {
  return `${'['.repeat(depth)}"leaf"${']'.repeat(depth)}`;
}

/** A chat body with `raw` JSON text spliced in as the value at `path` (dot-separated). */
function withRaw(path: string, raw: string): string {
  const marker = '"__RAW__"';
  const body: Record<string, unknown> = structuredClone(hello);
  const keys = path.split('.');
  let at = body;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
  at[keys.at(-1)!] = '__RAW__';
  return JSON.stringify(body).replace(marker, raw);
}

describe('HTTP edge', () => {
  let upstream: StandInUpstream;
  let gw: RunningGateway;

  beforeAll(async () => {
    upstream = await StandInUpstream.start();
    gw = await startGateway({
      OPENAI_API_KEY: 'sk-upstream',
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      OPENAI_MODELS: 'gpt-4o-mini',
      TOLLGATE_BODY_LIMIT: '64kb',
      TOLLGATE_REQUEST_TIMEOUT_MS: '400',
    });
  });
  beforeEach(() => {
    upstream.on('POST', '/v1/chat/completions', (r) =>
      r.body?.stream
        ? { frames: sseFrames(fixture('openai/chat-stream-text-usage.sse')) }
        : { json: jsonFixture('openai/chat-completion.json') },
    );
  });
  afterEach(() => upstream.reset());
  afterAll(async () => {
    await gw.close();
    await upstream.stop();
  });

  describe('credentials before the body', () => {
    it('answers 401 to an unauthenticated request before its body has arrived, and closes', async () => {
      const [head] = post('', { 'content-type': 'application/json', 'content-length': 1000 });
      const res = await rawExchange(gw.url, [head, '{"model":'], {
        waitMs: 3_000,
        untilClose: true,
      });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body).error.code).toBe('missing_api_key');
      expect(res.headers.connection).toBe('close');
      expect(res.closedByServer).toBe(true);
    });

    it('does not parse an unauthenticated body: broken JSON gets 401, not 400', async () => {
      const res = await rawExchange(
        gw.url,
        post('{"broken', {
          authorization: 'Bearer tg-not-a-key',
          'content-type': 'application/json',
          'content-length': 8,
        }),
      );
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body).error.code).toBe('invalid_api_key');
    });
  });

  it('408 and a closed connection when the body does not arrive in time', async () => {
    const [head] = jsonPost('x'.repeat(1000));
    const started = performance.now();
    const res = await rawExchange(gw.url, [head, '{"model":'], { waitMs: 3_000, untilClose: true });
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body).error).toMatchObject({
      type: 'invalid_request_error',
      code: 'request_timeout',
    });
    expect(res.closedByServer).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(350);
    expect(upstream.requests).toHaveLength(0);
  });

  describe('nesting depth', () => {
    it.each([
      ['metadata', 'metadata.deep'],
      ['response_format', 'response_format.json_schema.schema'],
      ['an unknown forwarded field', 'x_extra.deep'],
    ])('400 for JSON nested 10,000 deep in %s, never a 500', async (_field, path) => {
      const res = await rawExchange(gw.url, jsonPost(withRaw(path, nested(10_000))));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe('json_too_deep');
      expect(upstream.requests).toHaveLength(0);
    });

    it('takes 128 levels and refuses 129', async () => {
      // The body object is level 1, `x_extra`'s arrays levels 2 and up.
      const at = (levels: number) => withRaw('x_extra', nested(levels - 1));
      const ok = await rawExchange(gw.url, jsonPost(at(128)));
      expect(ok.status).toBe(200);
      expect(upstream.requests).toHaveLength(1);
      const deep = await rawExchange(gw.url, jsonPost(at(129)));
      expect(deep.status).toBe(400);
      expect(upstream.requests).toHaveLength(1);
    });
  });

  describe('compressed bodies', () => {
    const body = Buffer.from(JSON.stringify(hello));
    it.each([
      ['gzip', gzipSync(body)],
      ['deflate', deflateSync(body)],
      ['br', brotliCompressSync(body)],
    ])('inflates content-encoding: %s', async (encoding, compressed) => {
      const res = await rawExchange(gw.url, jsonPost(compressed, { 'content-encoding': encoding }));
      expect(res.status).toBe(200);
      expect(upstream.lastRequest().body.messages).toEqual(hello.messages);
    });

    it('413 for a zip bomb: the limit applies to the inflated size', async () => {
      const bomb = gzipSync(
        Buffer.from(JSON.stringify({ ...hello, metadata: { x: 'a'.repeat(5_000_000) } })),
      );
      expect(bomb.length).toBeLessThan(64 * 1024);
      const res = await rawExchange(gw.url, jsonPost(bomb, { 'content-encoding': 'gzip' }));
      expect(res.status).toBe(413);
      expect(upstream.requests).toHaveLength(0);
    });

    it('400 for a body that is not what its content-encoding says; 415 for an unknown one', async () => {
      const broken = await rawExchange(
        gw.url,
        jsonPost('not gzip', { 'content-encoding': 'gzip' }),
      );
      expect(broken.status).toBe(400);
      expect(JSON.parse(broken.body).error.code).toBe('invalid_content_encoding');
      const unknown = await rawExchange(
        gw.url,
        jsonPost(JSON.stringify(hello), { 'content-encoding': 'zstd' }),
      );
      expect(unknown.status).toBe(415);
      expect(JSON.parse(unknown.body).error.code).toBe('unsupported_content_encoding');
    });
  });

  describe('connection close', () => {
    it('closes after a JSON answer to Connection: close', async () => {
      const res = await rawExchange(
        gw.url,
        jsonPost(JSON.stringify(hello), { connection: 'close' }),
        { waitMs: 3_000, untilClose: true },
      );
      expect(res.status).toBe(200);
      expect(res.closedByServer).toBe(true);
    });

    it('closes after a stream to Connection: close', async () => {
      const res = await rawExchange(
        gw.url,
        jsonPost(JSON.stringify({ ...hello, stream: true }), { connection: 'close' }),
        { waitMs: 3_000, untilClose: true },
      );
      expect(res.status).toBe(200);
      expect(res.headers.connection).toBe('close');
      expect(sseEvents(res.body).at(-1)).toBe('[DONE]');
      expect(res.closedByServer).toBe(true);
    });

    it('streams to an HTTP/1.0 client and ends the stream with the close', async () => {
      const body = JSON.stringify({ ...hello, stream: true });
      const res = await rawExchange(
        gw.url,
        post(
          body,
          {
            authorization: `Bearer ${MASTER_KEY}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
          '1.0',
        ),
        { waitMs: 3_000, untilClose: true },
      );
      expect(res.status).toBe(200);
      expect(res.headers['transfer-encoding']).toBeUndefined();
      expect(sseEvents(res.body).at(-1)).toBe('[DONE]');
      expect(res.closedByServer).toBe(true);
    });
  });
});

describe('shutdown', () => {
  let upstream: StandInUpstream;
  let dir: string;

  beforeEach(async () => {
    upstream = await StandInUpstream.start();
    dir = mkdtempSync(join(tmpdir(), 'tollgate-drain-'));
  });
  afterEach(async () => {
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const slowStream = (frames: number, gapMs: number) => {
    const all = sseFrames(fixture('openai/chat-stream-text-usage.sse'));
    const content = all.filter((f) => f.includes('"content":"'));
    const padded = Array.from({ length: frames }, (_, i) => content[i % content.length]);
    upstream.on('POST', '/v1/chat/completions', {
      frames: [...padded, ...all.slice(-2)],
      frameDelayMs: gapMs,
    });
  };

  async function gateway(drainMs: number): Promise<RunningGateway> {
    return startGateway({
      OPENAI_API_KEY: 'sk-upstream',
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      OPENAI_MODELS: 'gpt-4o-mini',
      DATABASE_URL: `sqlite:${join(dir, 'tollgate.db')}`,
      TOLLGATE_DRAIN_TIMEOUT_MS: String(drainMs),
    });
  }

  const openStream = (gw: RunningGateway) =>
    rawExchange(gw.url, jsonPost(JSON.stringify({ ...hello, stream: true })), { waitMs: 10_000 });

  function storedRows(): Array<{ status_code: number; partial: number }> {
    const db = new BetterSqlite3(join(dir, 'tollgate.db'), { readonly: true });
    try {
      return db.prepare('SELECT status_code, partial FROM usage_log').all() as never;
    } finally {
      db.close();
    }
  }

  it('refuses new requests with the 503 envelope while open streams finish, then writes their rows', async () => {
    slowStream(10, 80);
    const gw = await gateway(5_000);
    const stream = openStream(gw);
    await new Promise((r) => setTimeout(r, 150));
    const closing = gw.app.close();
    await new Promise((r) => setTimeout(r, 50));

    const refused = await rawExchange(gw.url, jsonPost(JSON.stringify(hello)));
    expect(refused.status).toBe(503);
    expect(refused.headers.connection).toBe('close');
    expect(JSON.parse(refused.body).error).toMatchObject({
      type: 'service_unavailable_error',
      code: 'service_unavailable',
    });
    const ready = await rawExchange(gw.url, ['GET /ready HTTP/1.1\r\nhost: localhost\r\n\r\n']);
    expect(ready.status).toBe(503);
    const health = await rawExchange(gw.url, [
      'GET /health HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n',
    ]);
    expect(health.status).toBe(200);

    const done = await stream;
    expect(done.status).toBe(200);
    const events = sseEvents(done.body);
    expect(events.at(-1)).toBe('[DONE]');
    expectStreamConforms(events);
    await closing;
    const rows = storedRows();
    expect(rows.filter((r) => r.status_code === 200)).toHaveLength(1);
  });

  it('ends a stream longer than the drain deadline with an error event, and records it', async () => {
    slowStream(60, 100);
    const gw = await gateway(300);
    const stream = openStream(gw);
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    await gw.app.close();
    expect(performance.now() - started).toBeLessThan(3_000);

    const done = await stream;
    const events = sseEvents(done.body);
    expectStreamConforms(events);
    expect(events.at(-1).error.code).toBe('service_unavailable');
    const rows = storedRows();
    expect(rows).toHaveLength(1);
    expect(rows[0].partial).toBe(1);
  });
});
