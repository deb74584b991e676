import type { ProviderConfig } from '../config/config.js';
import type { ProviderType } from '../config/provider-types.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  Usage,
} from '../openai/chat-completion.types.js';
import type { UpstreamHttp } from '../common/http/upstream-http.service.js';

/** One call to an upstream, after routing. */
export interface UpstreamCall {
  /** The client's validated body, `provider` hint removed. Adapters must not mutate it. */
  body: ChatCompletionRequest;
  /** The model id as the upstream knows it (provider prefix and alias resolved). */
  model: string;
  /** Aborted when the client goes away or the gateway gives up. */
  signal: AbortSignal;
  /** Client headers an adapter may pass on (e.g. `anthropic-beta`), lower-case names. */
  clientHeaders: Record<string, string | string[] | undefined>;
  /** The request's `x-request-id`, sent upstream so both sides' logs can be matched. */
  requestId: string;
  /**
   * W3C `traceparent`/`tracestate` for the upstream request: this attempt's span when
   * tracing is on, the caller's own when it is off; undefined without a trace.
   */
  traceHeaders?: Record<string, string>;
  /** Called when the upstream's response headers arrive (for the overhead measurement). */
  onUpstreamHeaders?: () => void;
  /**
   * Streams: called with the usage known so far whenever it grows (e.g. Anthropic's input
   * tokens from `message_start`), so a stream that ends early is still accounted for.
   * The final usage chunk supersedes it.
   */
  reportUsage?: (usage: Usage) => void;
}

/**
 * One translated stream event. `raw` is the upstream's own JSON text when the chunk is
 * unchanged, so the relay can write it without serialising it again.
 */
/**
 * One translated stream chunk: parsed (`chunk`, with its original JSON text in `raw` when
 * it is relayed unchanged), or, for an OpenAI-family chunk that carries neither usage nor
 * an error, only its text and what accounting needs from it (`PassThroughChunk`), so
 * the relay does not parse every chunk.
 */
export type StreamChunk = ParsedChunk | PassThroughChunk;

export interface ParsedChunk {
  chunk: ChatCompletionChunk;
  raw?: string;
}

export interface PassThroughChunk {
  chunk?: undefined;
  raw: string;
  /** The choices' `delta.content` text, for counting an aborted stream's output. */
  text: string;
  /** It carries output (content, tool calls or reasoning): the first one sets TTFT. */
  output: boolean;
}

/**
 * A provider instance. Adapters are wiring plus pure translators: they build the native
 * request, send it through `UpstreamHttp`, and translate the answer into OpenAI shapes.
 * Upstream failures are thrown as `GatewayError` (before the stream: from `stream()`
 * itself; after: from the iterator).
 */
export interface ProviderAdapter {
  readonly name: string;
  readonly type: ProviderType;
  /**
   * The canonical upstream id of a routed model, or a 400 `invalid_model` when this
   * provider cannot be asked for it safely (e.g. it would change the request URL). The
   * router calls it before the allowlist is checked, so the allowlist sees the id the
   * upstream will get; `complete` and `stream` check again.
   */
  upstreamModel(model: string): string;
  complete(call: UpstreamCall): Promise<ChatCompletion>;
  /** Resolves once the upstream answered 2xx; the iterator yields OpenAI chunks. */
  stream(call: UpstreamCall): Promise<AsyncIterable<StreamChunk>>;
  /** Model discovery: the upstream's model ids, without provider prefix. */
  listModels(signal: AbortSignal): Promise<string[]>;
}

export type AdapterFactory = (config: ProviderConfig, http: UpstreamHttp) => ProviderAdapter;
