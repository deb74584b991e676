import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { EventSourceMessage } from 'eventsource-parser';
import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import type { TollgateConfig } from '../../config/config.js';
import { TOLLGATE_CONFIG } from '../../config/config.module.js';
import { ErrorCode, GatewayError } from '../errors/gateway-error.js';
import { readSse } from '../sse/sse-reader.js';

export interface UpstreamRequest {
  /** Provider instance name, for error messages (never the URL or key). */
  provider: string;
  method: 'GET' | 'POST';
  url: string;
  /** The provider's configured base URL: `url` must stay under it (see `urlUnderBase`). */
  base: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

/** Thrown (as `cause`) when the client went away; never reported to anyone. */
export class ClientAbortedError extends Error {
  constructor() {
    super('client closed the connection');
    this.name = 'ClientAbortedError';
  }
}

/**
 * The only code that talks to upstreams. One keep-alive pool per origin (undici Agent),
 * connect/headers/idle timeouts from config, failures turned into GatewayErrors that
 * name the provider and nothing else.
 */
@Injectable()
export class UpstreamHttp implements OnModuleDestroy {
  private readonly agent: Agent;
  /** Pools of providers with their own `timeouts.<provider>.connect_ms`. */
  private readonly providerAgents = new Map<string, Agent>();

  constructor(@Inject(TOLLGATE_CONFIG) config: TollgateConfig) {
    // A non-streamed completion's headers come once it is complete, so the headers
    // timeout bounds the whole exchange; streams are bounded by the idle gap instead.
    // Finer per-attempt limits (`timeouts:` in YAML) abort the request's signal.
    const options = (connectTimeoutMs: number): Agent.Options => ({
      connect: { timeout: connectTimeoutMs },
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: config.requestTimeoutMs,
      bodyTimeout: config.requestTimeoutMs,
    });
    this.agent = new Agent(options(config.connectTimeoutMs));
    for (const [key, t] of Object.entries(config.resilience.timeouts)) {
      if (!key.includes('/') && t.connectMs !== undefined) {
        this.providerAgents.set(key, new Agent(options(t.connectMs)));
      }
    }
  }

  async send(req: UpstreamRequest): Promise<UpstreamResponse> {
    const url = urlUnderBase(req.url, req.base);
    if (!url) {
      throw new GatewayError(
        ErrorCode.InvalidRequest,
        `Refused to send a request outside the configured base URL of the provider '${req.provider}'.`,
        { wireCode: 'upstream_url_refused' },
      );
    }
    try {
      const res = await request(url, {
        dispatcher: this.providerAgents.get(req.provider) ?? this.agent,
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
      });
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (err) {
      throw this.translateError(err, req);
    }
  }

  /** Reads a whole body as text, mapping failures like `send` does. */
  async readText(res: UpstreamResponse, req: UpstreamRequest): Promise<string> {
    try {
      return await res.body.text();
    } catch (err) {
      throw this.translateError(err, req);
    }
  }

  /**
   * The events of a `text/event-stream` body (see `readSse`), mapping a failure while
   * reading it (connection lost, idle timeout, client gone) like `readText` does.
   */
  async *readSse(res: UpstreamResponse, req: UpstreamRequest): AsyncGenerator<EventSourceMessage> {
    try {
      yield* readSse(res.body);
    } catch (err) {
      throw this.translateError(err, req);
    }
  }

  translateError(err: unknown, req: UpstreamRequest): GatewayError {
    if (err instanceof GatewayError) return err;
    if (req.signal.aborted) {
      // An attempt's own deadline aborts its signal with the error naming the limit.
      const reason: unknown = req.signal.reason;
      if (reason instanceof GatewayError) return reason;
      return new GatewayError(ErrorCode.UpstreamUnreachable, 'client closed the connection', {
        cause: new ClientAbortedError(),
      });
    }
    const code = (err as { code?: string }).code;
    const timeout =
      err instanceof undiciErrors.HeadersTimeoutError
        ? 'first_byte_timeout'
        : err instanceof undiciErrors.BodyTimeoutError
          ? 'idle_timeout'
          : code === 'UND_ERR_CONNECT_TIMEOUT'
            ? 'connect_timeout'
            : undefined;
    if (timeout !== undefined) {
      return new GatewayError(
        ErrorCode.UpstreamTimeout,
        `The upstream provider '${req.provider}' did not answer in time.`,
        { wireCode: timeout },
      );
    }
    return new GatewayError(
      ErrorCode.UpstreamUnreachable,
      `Could not reach the upstream provider '${req.provider}'${code ? ` (${code})` : ''}.`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.agent, ...this.providerAgents.values()].map((a) => a.close()));
  }
}

/** `%2e` `%2f` `%5c`: a `.`, `/` or backslash some servers decode before routing. */
const ENCODED_PATH_CHAR = /%(2e|2f|5c)/i;

/**
 * The last guard before a request leaves: `url`, parsed as the HTTP client will parse it
 * (so `..` and `%2e%2e` segments are already resolved), must have the base's origin and
 * a path at or below the base's path, with no backslash and no encoded `.`, `/` or
 * backslash beyond the base. Returns the URL to send, or undefined when it would leave the base.
 */
export function urlUnderBase(url: string, base: string): string | undefined {
  let target: URL;
  let root: URL;
  try {
    target = new URL(url);
    root = new URL(base);
  } catch {
    return undefined;
  }
  if (target.origin !== root.origin) return undefined;
  if (target.username !== root.username || target.password !== root.password) return undefined;
  const rootPath = root.pathname.replace(/\/+$/, '');
  const path = target.pathname;
  if (path !== rootPath && !path.startsWith(`${rootPath}/`)) return undefined;
  const rest = path.slice(rootPath.length);
  if (rest.includes('\\') || ENCODED_PATH_CHAR.test(rest)) return undefined;
  return target.href;
}

export function isClientAbort(err: unknown): boolean {
  return err instanceof GatewayError && err.cause instanceof ClientAbortedError;
}
