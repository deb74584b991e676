import {
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  defaultTextMapSetter,
  diag,
  trace,
  type Context,
  type DiagLogger,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { RequestContext, RequestTrace } from '../common/context/request-context.js';
import type { ProviderConfig } from '../config/config.js';
import type { TracesConfig } from '../config/telemetry-config.js';
import { matchedRoute } from '../http/matched-route.js';
import type { ChatCompletion, ChatCompletionRequest } from '../openai/chat-completion.types.js';
import type { StreamChunk } from '../providers/provider-adapter.js';
import {
  GEN_AI,
  StreamSummary,
  TOLLGATE,
  completionAttributes,
  errorType,
  genAiProviderName,
  inputMessages,
  requestAttributes,
  serverAttributes,
  type Attributes,
} from './gen-ai-attributes.js';
import type { AttemptTarget, AttemptTrace, Tracing } from './tracing.js';

/**
 * Tracing with the OpenTelemetry SDK: spans are made explicitly (no auto-instrumentation,
 * no global context manager), batched, and exported over OTLP/HTTP. This module is
 * imported only when tracing is on.
 */
export async function createTracing(
  config: TracesConfig,
  providers: readonly ProviderConfig[],
  logger: Logger,
): Promise<Tracing> {
  // Export failures reach the log (at most a line per failed batch), never the requests.
  diag.setLogger(diagLogger(logger), {
    logLevel: DiagLogLevel.WARN,
    suppressOverrideMessage: true,
  });
  const exporter = await createExporter(config);
  const provider = new BasicTracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({
        ...config.resourceAttributes,
        [ATTR_SERVICE_NAME]: config.serviceName,
      }),
    ),
    sampler: sampler(config),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: config.batch.scheduleDelayMs,
        exportTimeoutMillis: config.batch.exportTimeoutMs,
        maxQueueSize: config.batch.maxQueueSize,
        maxExportBatchSize: config.batch.maxExportBatchSize,
      }),
    ],
  });
  return new OtelTracing(provider, config.captureContent, providers);
}

type ExporterOptions = NonNullable<
  ConstructorParameters<
    (typeof import('@opentelemetry/exporter-trace-otlp-http'))['OTLPTraceExporter']
  >[0]
>;

async function createExporter(config: TracesConfig): Promise<SpanExporter> {
  const options: ExporterOptions = {
    url: config.endpoint,
    headers: config.headers,
    timeoutMillis: config.timeoutMs,
    // The option is an enum whose values are these very strings.
    compression: config.compression as ExporterOptions['compression'],
  };
  if (config.protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter(options);
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter(options);
}

function sampler(config: TracesConfig): Sampler {
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(config.samplerRatio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({
        root: new TraceIdRatioBasedSampler(config.samplerRatio),
      });
  }
}

/** The SDK's own diagnostics (failed exports) as log lines, one line each, never a stack. */
function diagLogger(logger: Logger): DiagLogger {
  const log =
    (level: 'error' | 'warn' | 'info' | 'debug' | 'trace') =>
    (message: string): void =>
      logger[level]({ otel: true }, diagMessage(message));
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    verbose: log('trace'),
  };
}

/**
 * The SDK reports a failed export as the error serialised to JSON, stack included: only
 * its message (and code) go to the log, cut to one short line.
 */
export function diagMessage(message: string): string {
  let text = message;
  if (message.startsWith('{')) {
    try {
      const e = JSON.parse(message) as { message?: unknown; code?: unknown };
      if (typeof e.message === 'string') {
        text = typeof e.code === 'string' ? `${e.message} (${e.code})` : e.message;
      }
    } catch {
      // not JSON after all: the text as it is
    }
  }
  const line = text.split('\n', 1)[0];
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** The longest the exit waits for the last spans to be exported. */
const SHUTDOWN_FLUSH_MS = 2_000;

/** Scrapes and probes are not traced: they would drown the requests worth reading. */
const UNTRACED = new Set(['/health', '/ready', '/metrics']);

const propagator = new W3CTraceContextPropagator();

/** A request's server span: its trace, and the attempt spans still open under it. */
class ServerTrace implements RequestTrace {
  readonly traceId: string;
  /** The context the attempt spans are children of. */
  readonly context: Context;
  attempts?: ClientAttempt[];

  constructor(readonly span: Span) {
    this.traceId = span.spanContext().traceId;
    this.context = trace.setSpan(ROOT_CONTEXT, span);
  }
}

class OtelTracing implements Tracing {
  private readonly tracer: Tracer;
  /** Per provider instance: its `gen_ai.provider.name`, `server.address` and `server.port`. */
  private readonly targets = new Map<string, Attributes>();

  constructor(
    private readonly provider: BasicTracerProvider,
    private readonly captureContent: boolean,
    providers: readonly ProviderConfig[],
  ) {
    this.tracer = provider.getTracer('tollgate');
    for (const p of providers) {
      this.targets.set(p.name, {
        [GEN_AI.providerName]: genAiProviderName(p.type, p.name),
        ...serverAttributes(p.baseUrl),
      });
    }
  }

  startRequest(ctx: RequestContext, req: IncomingMessage): void {
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (req.method === 'GET' && UNTRACED.has(path)) return;
    const method = httpMethod(req.method);
    // The caller's `traceparent`/`tracestate`, when valid, become the span's parent.
    const parent =
      req.headers.traceparent === undefined
        ? ROOT_CONTEXT
        : propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const span = this.tracer.startSpan(
      method === '_OTHER' ? 'HTTP' : method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_URL_PATH]: path,
          [ATTR_URL_SCHEME]: 'http',
          [TOLLGATE.requestId]: ctx.id,
        },
      },
      parent,
    );
    ctx.trace = new ServerTrace(span);
  }

  endRequest(ctx: RequestContext, req: IncomingMessage, res: ServerResponse): void {
    const server = ctx.trace;
    if (!(server instanceof ServerTrace)) return;
    const open = server.attempts;
    if (open !== undefined) {
      server.attempts = undefined; // ending them must not splice the list being walked
      for (const attempt of open) attempt.cancel();
    }
    const span = server.span;
    const status = ctx.status ?? res.statusCode;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    const route = matchedRoute(req);
    if (route !== undefined) {
      span.setAttribute(ATTR_HTTP_ROUTE, route);
      span.updateName(`${httpMethod(req.method)} ${route}`);
    }
    if (ctx.clientGone) {
      span.setAttribute(ATTR_ERROR_TYPE, 'client_closed');
    } else if (status >= 500) {
      span.setAttribute(ATTR_ERROR_TYPE, ctx.failure?.code ?? String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }

  startAttempt(
    ctx: RequestContext,
    target: AttemptTarget,
    body: ChatCompletionRequest,
    stream: boolean,
  ): AttemptTrace | undefined {
    const server = ctx.trace;
    if (!(server instanceof ServerTrace)) return undefined;
    const attributes: Attributes = {
      [GEN_AI.operationName]: 'chat',
      [GEN_AI.requestModel]: target.model,
      ...this.targets.get(target.provider),
      [TOLLGATE.provider]: target.provider,
      [TOLLGATE.attempt]: ctx.attempts,
    };
    attributes[GEN_AI.providerName] ??= genAiProviderName(target.type, target.provider);
    requestAttributes(body, attributes);
    if (this.captureContent) attributes[GEN_AI.inputMessages] = inputMessages(body);
    const span = this.tracer.startSpan(
      `chat ${target.model}`,
      { kind: SpanKind.CLIENT, attributes },
      server.context,
    );
    const attempt = new ClientAttempt(span, ctx, stream, this.captureContent, server);
    (server.attempts ??= []).push(attempt);
    return attempt;
  }

  /**
   * Exports what is buffered, for at most `SHUTDOWN_FLUSH_MS`: an unreachable collector
   * (whose exports are retried for up to the export timeout) must not hold up the exit.
   */
  async shutdown(): Promise<void> {
    await Promise.race([
      this.provider.shutdown(),
      sleep(SHUTDOWN_FLUSH_MS, undefined, { ref: false }),
    ]);
  }
}

/** One upstream attempt's client span; it ends exactly once, whichever way the attempt ends. */
class ClientAttempt implements AttemptTrace {
  readonly headers: Record<string, string> = {};
  private ended = false;
  private summary?: StreamSummary;

  constructor(
    private readonly span: Span,
    private readonly ctx: RequestContext,
    private readonly stream: boolean,
    private readonly captureContent: boolean,
    private readonly server: ServerTrace,
  ) {
    // The upstream sees this attempt's span as its parent.
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), this.headers, defaultTextMapSetter);
  }

  failed(error: unknown): void {
    if (this.ended) return;
    if (this.summary !== undefined) this.span.setAttributes(this.summary.attributes(undefined));
    this.span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
    this.span.setStatus({ code: SpanStatusCode.ERROR });
    this.end();
  }

  answered<T>(value: T): T {
    if (!this.stream) {
      if (!this.ended) {
        this.span.setAttributes(completionAttributes(value as ChatCompletion, this.captureContent));
        this.end();
      }
      return value;
    }
    return this.follow(value as AsyncIterable<StreamChunk>) as T;
  }

  /** The request ended with this attempt still open (a stream the client left, or never read). */
  cancel(): void {
    if (this.ended) return;
    if (this.summary !== undefined) {
      this.span.setAttributes(this.summary.attributes(this.ctx.usage));
    }
    this.span.setAttribute(
      ATTR_ERROR_TYPE,
      this.ctx.clientGone ? 'client_closed' : this.ctx.cut ? 'shutdown' : 'cancelled',
    );
    this.end();
  }

  /** The stream, watched chunk by chunk; the span ends with it. */
  private follow(chunks: AsyncIterable<StreamChunk>): AsyncIterable<StreamChunk> {
    const inner = chunks[Symbol.asyncIterator]();
    const summary = new StreamSummary(this.captureContent);
    this.summary = summary;
    const iterator: AsyncIterator<StreamChunk> = {
      next: async () => {
        let step: IteratorResult<StreamChunk>;
        try {
          step = await inner.next();
        } catch (err) {
          this.failed(err);
          throw err;
        }
        if (step.done) {
          if (!this.ended) {
            this.span.setAttributes(summary.attributes(this.ctx.usage));
            this.end();
          }
        } else {
          summary.observe(step.value);
        }
        return step;
      },
      return: async (value?: unknown) => {
        this.cancel();
        await inner.return?.(value);
        return { done: true, value: undefined };
      },
    };
    return { [Symbol.asyncIterator]: () => iterator };
  }

  private end(): void {
    this.ended = true;
    this.span.end();
    const open = this.server.attempts;
    if (open !== undefined) {
      const i = open.indexOf(this);
      if (i !== -1) open.splice(i, 1);
    }
  }
}

const METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'TRACE',
  'CONNECT',
]);

/** `http.request.method`: the known methods as they are, anything else `_OTHER`. */
function httpMethod(method: string | undefined): string {
  return method !== undefined && METHODS.has(method) ? method : '_OTHER';
}
