import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from '../common/context/request-context.js';
import type { ProviderType } from '../config/provider-types.js';
import type { ChatCompletionRequest } from '../openai/chat-completion.types.js';

/** The upstream target of one attempt, as tracing names it. */
export interface AttemptTarget {
  /** Provider instance name (`openai`, `openai-team-b`). */
  provider: string;
  type: ProviderType;
  /** Model id sent upstream. */
  model: string;
}

/**
 * One upstream attempt as tracing sees it: the headers that carry the trace to the
 * upstream, then exactly one outcome. Ending twice is harmless (the request's end closes
 * what is still open).
 */
export interface AttemptTrace {
  /** `traceparent` (and `tracestate`) for the upstream request. */
  readonly headers: Record<string, string>;
  /** The attempt failed (before an answer, or a stream before it was accepted). */
  failed(error: unknown): void;
  /**
   * The attempt answered: a completion, or (for a stream) the chunks, returned wrapped
   * so the span follows the stream to its end.
   */
  answered<T>(value: T): T;
}

/**
 * The tracing implementation, loaded only when tracing is on (see `TelemetryService`):
 * everything that touches the OpenTelemetry SDK sits behind this.
 */
export interface Tracing {
  /** Opens the request's server span (continuing the caller's trace) and sets `ctx.trace`. */
  startRequest(ctx: RequestContext, req: IncomingMessage): void;
  /** Closes it, and any attempt span the request left open. */
  endRequest(ctx: RequestContext, req: IncomingMessage, res: ServerResponse): void;
  /** A client span for one upstream attempt, child of the request's server span. */
  startAttempt(
    ctx: RequestContext,
    target: AttemptTarget,
    body: ChatCompletionRequest,
    stream: boolean,
  ): AttemptTrace | undefined;
  /** Exports what is still buffered and stops. */
  shutdown(): Promise<void>;
}
