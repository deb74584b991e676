import { MASTER_KEY, type RunningGateway } from './gateway.js';
import { expectResponseConforms } from './openapi-conformance.js';

/** A response body as JSON, typed loosely for assertions. */
export async function bodyOf(res: Response): Promise<any> {
  return res.json();
}

/** A JSON exchange: status, headers and the parsed body. */
export interface JsonExchange {
  status: number;
  headers: Headers;
  body: any;
}

export interface Api {
  /** POST a JSON value (or raw text, sent as is) with the bearer token. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  del(path: string): Promise<Response>;
  /** POST /v1/chat/completions. */
  chat(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /**
   * Any call answered in JSON, its body checked against what openapi.json documents for
   * the method, path and status (every error against the envelope).
   */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<JsonExchange>;
}

/**
 * Requests to a running gateway with a bearer token: the master key unless another is
 * given, none with `null`.
 */
export function api(gw: RunningGateway | string, key: string | null = MASTER_KEY): Api {
  const base = typeof gw === 'string' ? gw : gw.url;
  const send = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        ...(key === null ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
    });
  return {
    post: (path, body, headers) => send('POST', path, body, headers),
    get: (path, headers) => send('GET', path, undefined, headers),
    del: (path) => send('DELETE', path),
    chat: (body, headers) => send('POST', '/v1/chat/completions', body, headers),
    call: async (method, path, body, headers) => {
      const res = await send(method, path, body, headers);
      const json: unknown = await res.json();
      expectResponseConforms(method, path, res.status, json);
      return { status: res.status, headers: res.headers, body: json };
    },
  };
}

/** A parsed `data:` event of a stream: a JSON value, or the `[DONE]` marker. */
export type SseEvent = any;

/**
 * The `data:` events of an SSE body in order, each parsed as JSON except the final
 * `[DONE]`, which is kept as the string. Comments (heartbeats) are skipped.
 */
export function sseEvents(text: string): SseEvent[] {
  return text
    .split(/\r?\n\r?\n/)
    .map((event) =>
      event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n'),
    )
    .filter((data) => data !== '')
    .map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}
