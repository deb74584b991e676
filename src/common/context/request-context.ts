import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Usage } from '../../openai/chat-completion.types.js';
import type { ErrorCode } from '../errors/gateway-error.js';

/** nginx's "client closed request": the client left before the response was complete. */
export const CLIENT_CLOSED_STATUS = 499;
export const CLIENT_CLOSED_ERROR = 'client_closed';

/** Work one request asked for when its response is over (see `RequestContext.onEnd`). */
export type RequestEndHandler = (
  ctx: RequestContext,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
) => void;

/** The limits of one managed key or team (see "Limits and budgets"); null: no limit. */
export interface LimitScope {
  kind: 'key' | 'team';
  id: string;
  rpm: number | null;
  tpm: number | null;
  maxParallel: number | null;
  /** Integer nano-dollars per `budgetPeriod`. */
  budgetNanos: bigint | null;
  budgetPeriod: 'daily' | 'weekly' | 'monthly' | 'total' | null;
}

/** Who is calling, established by the bearer guard and nowhere else. */
export interface CallerIdentity {
  kind: 'master' | 'key' | 'anonymous';
  /** Managed key id; null for the master key or when auth is disabled. */
  keyId: string | null;
  keyName?: string;
  /** Allowed models for a managed key (undefined: all). */
  models?: string[];
  /** The key's team, when it belongs to one. */
  teamId?: string;
  /** The team's allowed models (undefined: all); a request must fit both lists. */
  teamModels?: string[];
  /** The key's and its team's limits; undefined when neither has any (the hot path's one check). */
  limits?: readonly LimitScope[];
}

/**
 * The W3C trace a request belongs to, kept by telemetry/: its server span's when tracing
 * is on, else the caller's `traceparent`. Everything else reads only its id.
 */
export interface RequestTrace {
  /** 32 lowercase hex digits. */
  readonly traceId: string;
}

/** A request's hold on its limits, settled with its recorded cost once that is known. */
export interface LimitTicket {
  settle(costNanos: bigint | null, tokens: number): void;
}

/**
 * Everything known about one request as it passes through the gateway. Created by the
 * request-context middleware, filled in by the guard and the chat service, read by the
 * request logger and the usage recorder once the response is over.
 */
export class RequestContext {
  readonly startedAt = performance.now();
  readonly startedAtDate = new Date();
  private readonly abortController = new AbortController();
  identity?: CallerIdentity;
  /** Handlers this request registered for its end (e.g. its usage row). */
  endHandlers?: RequestEndHandler[];
  private cutByShutdown = false;
  /** Model as the client asked for it. */
  requestedModel?: string;
  provider?: string;
  /** Model id sent upstream. */
  model?: string;
  /** Upstream tries made (retries and fallbacks included). */
  attempts = 0;
  stream = false;
  /** Client set `stream_options.include_usage`. */
  includeUsage = false;
  user?: string;
  /** Milliseconds spent waiting on the upstream (sending to last byte read / headers). */
  upstreamMs = 0;
  private upstreamStartedAt?: number;
  ttftMs?: number;
  usage?: Usage;
  status?: number;
  errorType?: string;
  errorCode?: string;
  /** The gateway's own code and the status of the error sent (metrics classify by them). */
  failure?: { code: ErrorCode; status: number };
  /** The response ended before the upstream finished (client abort or mid-stream error). */
  partial = false;
  /** Text relayed so far in a stream (for estimating an aborted stream's output). */
  relayedText?: string[];
  /** Rate-limit headers for the response head (set on admission, for limited keys only). */
  limitHeaders?: Record<string, string>;
  /** Set on admission of a limited key; the usage collector settles it with the row's cost. */
  limitTicket?: LimitTicket;
  /** Its trace (log line, usage row, upstream `traceparent`); undefined when it has none. */
  trace?: RequestTrace;

  constructor(readonly id: string) {}

  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  /** The client left (not a cut by the drain deadline, see `shutdown`). */
  get clientGone(): boolean {
    return this.abortController.signal.aborted && !this.cutByShutdown;
  }

  /** The drain deadline passed while this request was open (see InflightRequests). */
  get cut(): boolean {
    return this.cutByShutdown;
  }

  onEnd(handler: RequestEndHandler): void {
    (this.endHandlers ??= []).push(handler);
  }

  /**
   * The process is shutting down and this request ran past the drain deadline: cancels
   * the upstream work; the client is sent an error (an event, for a stream).
   */
  shutdown(): void {
    if (this.abortController.signal.aborted) return;
    this.cutByShutdown = true;
    this.partial = true;
    this.abortController.abort();
  }

  /**
   * The client connection closed before the response finished: cancels the upstream work
   * and marks the request, before anything reads it at end of response. A stream keeps
   * its 200 (the client got it); a request that had no answer yet gets 499.
   */
  clientClosed(): void {
    this.partial = true;
    if (this.status === undefined) {
      this.status = CLIENT_CLOSED_STATUS;
      this.errorType ??= CLIENT_CLOSED_ERROR;
    }
    this.abortController.abort();
  }

  /** Records the error the client was sent (an envelope's `type` and `code`) and its cause. */
  sentError(
    error: { type: string; code: string | null },
    failure?: { code: ErrorCode; status: number },
  ): void {
    this.errorType = error.type;
    this.errorCode = error.code ?? undefined;
    this.failure = failure;
  }

  upstreamStart(): void {
    this.upstreamStartedAt = performance.now();
  }

  /** Marks the end of a stretch of upstream waiting (headers arrived, or body read). */
  upstreamEnd(): void {
    if (this.upstreamStartedAt !== undefined) {
      this.upstreamMs += performance.now() - this.upstreamStartedAt;
      this.upstreamStartedAt = undefined;
    }
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** Time spent in the gateway itself so far, upstream waits excluded. */
  overheadMs(): number {
    return Math.max(0, this.elapsedMs() - this.upstreamMs);
  }
}

declare module 'node:http' {
  interface IncomingMessage {
    tollgate?: RequestContext;
  }
}

/** Injects the request's RequestContext into a handler parameter. */
export const Ctx = createParamDecorator((_data: unknown, host: ExecutionContext) => {
  const ctx = host.switchToHttp().getRequest<IncomingMessage>().tollgate;
  if (!ctx) throw new Error('request context middleware did not run');
  return ctx;
});
