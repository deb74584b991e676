import type { EventSourceMessage } from 'eventsource-parser';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import type {
  UpstreamHttp,
  UpstreamRequest,
  UpstreamResponse,
} from '../common/http/upstream-http.service.js';

/** Builds the client-facing error from an upstream error response. */
export type UpstreamErrorReader = (
  status: number,
  headers: UpstreamResponse['headers'],
  bodyText: string,
) => GatewayError;

/**
 * The exchange every adapter makes: send, note when the upstream answered (for the
 * overhead measurement), and turn an error status into the client-facing error.
 */
export async function sendOrThrow(
  http: UpstreamHttp,
  req: UpstreamRequest,
  toError: UpstreamErrorReader,
  onHeaders?: () => void,
): Promise<UpstreamResponse> {
  const res = await http.send(req);
  onHeaders?.();
  if (res.status >= 400) {
    const text = await http.readText(res, req).catch(() => '');
    throw toError(res.status, res.headers, text);
  }
  return res;
}

/**
 * The exchange of a stream request: `sendOrThrow`, then its events, read through
 * `UpstreamHttp.readSse` so a failure mid-stream names the provider. A stream request must
 * be answered with an event stream; some servers answer it with a JSON error and a 200:
 * that body is read as an error.
 */
export async function openEventStream(
  http: UpstreamHttp,
  req: UpstreamRequest,
  toError: UpstreamErrorReader,
  onHeaders?: () => void,
): Promise<AsyncIterable<EventSourceMessage>> {
  const res = await sendOrThrow(http, req, toError, onHeaders);
  if (!String(res.headers['content-type'] ?? '').includes('text/event-stream')) {
    throw toError(502, res.headers, await http.readText(res, req));
  }
  return http.readSse(res, req);
}

/** The whole body as a JSON object; anything else means the upstream broke its protocol. */
export async function readJsonObject(
  http: UpstreamHttp,
  res: UpstreamResponse,
  req: UpstreamRequest,
  what: string,
): Promise<Record<string, unknown>> {
  const text = await http.readText(res, req);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalidResponse(req.provider, what);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalidResponse(req.provider, what);
  }
  return json as Record<string, unknown>;
}

export function invalidResponse(provider: string, what: string): GatewayError {
  return new GatewayError(
    ErrorCode.UpstreamInvalidResponse,
    `The upstream provider '${provider}' returned a response that is not ${what}.`,
  );
}

/** One SSE event's JSON data; a malformed event means the upstream broke its protocol. */
export function parseEventJson(data: string, provider: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw new GatewayError(
      ErrorCode.UpstreamInvalidResponse,
      `The upstream provider '${provider}' sent a malformed stream event.`,
    );
  }
}
