import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { isClientAbort } from '../common/http/upstream-http.service.js';
import type { ProviderType } from '../config/provider-types.js';
import type {
  ChatCompletion,
  ChatCompletionRequest,
  ChatMessage,
  Usage,
} from '../openai/chat-completion.types.js';
import type { StreamChunk } from '../providers/provider-adapter.js';

/** A span attribute value, as OpenTelemetry takes it. */
export type AttributeValue = string | number | boolean | string[];
export type Attributes = Record<string, AttributeValue>;

/**
 * The GenAI semantic-convention names used here. They are still "development" status,
 * so (as the conventions advise) they are copied rather than imported from the
 * package's unstable entry point.
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  requestFrequencyPenalty: 'gen_ai.request.frequency_penalty',
  requestPresencePenalty: 'gen_ai.request.presence_penalty',
  requestStopSequences: 'gen_ai.request.stop_sequences',
  requestSeed: 'gen_ai.request.seed',
  requestChoiceCount: 'gen_ai.request.choice.count',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  usageCacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  usageCacheCreationInputTokens: 'gen_ai.usage.cache_creation.input_tokens',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
} as const;

/** The gateway's own attributes. */
export const TOLLGATE = {
  /** Provider instance name (several instances may share a `gen_ai.provider.name`). */
  provider: 'tollgate.provider',
  /** 1 for the first upstream try of a request, then counting retries and fallbacks. */
  attempt: 'tollgate.attempt',
  requestId: 'tollgate.request_id',
} as const;

/**
 * `gen_ai.provider.name`: the well-known value of the provider family; an
 * OpenAI-compatible instance is named by its well-known provider when it is one of the
 * built-in instances that has one (groq, xai, deepseek, mistral), else by its type.
 */
export function genAiProviderName(type: ProviderType, instance: string): string {
  switch (type) {
    case 'openai':
      return 'openai';
    case 'anthropic':
      return 'anthropic';
    case 'gemini':
      return 'gcp.gemini';
    case 'azure-openai':
      return 'azure.ai.openai';
    case 'openai-compatible':
      return WELL_KNOWN_COMPATIBLE[instance] ?? 'openai-compatible';
  }
}

const WELL_KNOWN_COMPATIBLE: Record<string, string> = {
  groq: 'groq',
  xai: 'x_ai',
  deepseek: 'deepseek',
  mistral: 'mistral_ai',
};

/** `server.address` and `server.port` of a provider's base URL. */
export function serverAttributes(baseUrl: string): Attributes {
  try {
    const url = new URL(baseUrl);
    const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { 'server.address': url.hostname.replace(/^\[|\]$/g, ''), 'server.port': port };
  } catch {
    return {};
  }
}

/** What the request asked for: the request-side attributes of a chat span. */
export function requestAttributes(body: ChatCompletionRequest, into: Attributes): void {
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (typeof maxTokens === 'number') into[GEN_AI.requestMaxTokens] = maxTokens;
  if (typeof body.temperature === 'number') into[GEN_AI.requestTemperature] = body.temperature;
  if (typeof body.top_p === 'number') into[GEN_AI.requestTopP] = body.top_p;
  if (typeof body.frequency_penalty === 'number') {
    into[GEN_AI.requestFrequencyPenalty] = body.frequency_penalty;
  }
  if (typeof body.presence_penalty === 'number') {
    into[GEN_AI.requestPresencePenalty] = body.presence_penalty;
  }
  if (typeof body.seed === 'number') into[GEN_AI.requestSeed] = body.seed;
  if (typeof body.n === 'number' && body.n !== 1) into[GEN_AI.requestChoiceCount] = body.n;
  const stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (Array.isArray(stop) && stop.length > 0) into[GEN_AI.requestStopSequences] = stop;
}

/** Token counts of an OpenAI-shaped usage (cached tokens are inside the input count). */
export function usageAttributes(usage: Usage, into: Attributes): void {
  if (typeof usage.prompt_tokens === 'number') into[GEN_AI.usageInputTokens] = usage.prompt_tokens;
  if (typeof usage.completion_tokens === 'number') {
    into[GEN_AI.usageOutputTokens] = usage.completion_tokens;
  }
  const cached = usage.prompt_tokens_details?.cached_tokens;
  if (typeof cached === 'number' && cached > 0) into[GEN_AI.usageCacheReadInputTokens] = cached;
  const written = usage.prompt_tokens_details?.cache_write_tokens;
  if (typeof written === 'number' && written > 0) {
    into[GEN_AI.usageCacheCreationInputTokens] = written;
  }
}

/** The response-side attributes of a completed (non-streamed) chat. */
export function completionAttributes(
  completion: ChatCompletion,
  captureContent: boolean,
): Attributes {
  const out: Attributes = {};
  if (typeof completion.model === 'string') out[GEN_AI.responseModel] = completion.model;
  if (typeof completion.id === 'string') out[GEN_AI.responseId] = completion.id;
  const reasons = completion.choices.map((c) => c.finish_reason ?? 'unknown');
  if (reasons.length > 0) out[GEN_AI.responseFinishReasons] = reasons;
  if (completion.usage) usageAttributes(completion.usage, out);
  if (captureContent) {
    out[GEN_AI.outputMessages] = JSON.stringify(
      completion.choices.map((c) => ({
        role: 'assistant',
        parts: [
          ...(typeof c.message.content === 'string' && c.message.content !== ''
            ? [{ type: 'text', content: c.message.content }]
            : []),
          ...(c.message.tool_calls ?? []).map((t) => ({
            type: 'tool_call',
            id: t.id,
            name: t.function.name,
            arguments: t.function.arguments,
          })),
        ],
        finish_reason: c.finish_reason ?? 'unknown',
      })),
    );
  }
  return out;
}

const FINISH_REASON = /"finish_reason":"([^"\\]{1,64})"/g;
const MODEL = /"model":"((?:[^"\\]|\\.){1,256})"/;
const ID = /^\{"id":"((?:[^"\\]|\\.){1,256})"/;

/**
 * What a chat span needs from a stream, gathered chunk by chunk: the response model and
 * id, the finish reasons, the last usage, and (only when content capture is on) the text.
 * Chunks relayed unparsed are read off their JSON text, never parsed.
 */
export class StreamSummary {
  model?: string;
  id?: string;
  readonly finishReasons: string[] = [];
  usage?: Usage;
  private readonly text?: string[];

  constructor(captureContent: boolean) {
    if (captureContent) this.text = [];
  }

  observe(value: StreamChunk): void {
    if (value.chunk === undefined) {
      const raw = value.raw;
      if (this.model === undefined) {
        this.model = unescapeJson(MODEL.exec(raw)?.[1]) ?? '';
        if (this.id === undefined) this.id = unescapeJson(ID.exec(raw)?.[1]);
      }
      if (raw.includes('"finish_reason":"')) {
        FINISH_REASON.lastIndex = 0;
        for (let m = FINISH_REASON.exec(raw); m !== null; m = FINISH_REASON.exec(raw)) {
          this.finishReasons.push(m[1]);
        }
      }
      if (this.text !== undefined && value.text !== '') this.text.push(value.text);
      return;
    }
    const chunk = value.chunk;
    if (!this.model && typeof chunk.model === 'string') this.model = chunk.model;
    if (this.id === undefined && typeof chunk.id === 'string') this.id = chunk.id;
    for (const choice of chunk.choices) {
      if (typeof choice.finish_reason === 'string') this.finishReasons.push(choice.finish_reason);
      const content = choice.delta?.content;
      if (this.text !== undefined && typeof content === 'string' && content !== '') {
        this.text.push(content);
      }
    }
    if (chunk.usage) this.usage = chunk.usage;
  }

  /** The response-side attributes; `usage` stands in when the stream reported none. */
  attributes(usage: Usage | undefined): Attributes {
    const out: Attributes = {};
    if (this.model) out[GEN_AI.responseModel] = this.model;
    if (this.id !== undefined) out[GEN_AI.responseId] = this.id;
    if (this.finishReasons.length > 0) out[GEN_AI.responseFinishReasons] = this.finishReasons;
    const u = this.usage ?? usage;
    if (u) usageAttributes(u, out);
    if (this.text !== undefined) {
      out[GEN_AI.outputMessages] = JSON.stringify([
        {
          role: 'assistant',
          parts: this.text.length > 0 ? [{ type: 'text', content: this.text.join('') }] : [],
          finish_reason: this.finishReasons[0] ?? 'unknown',
        },
      ]);
    }
    return out;
  }
}

function unescapeJson(escaped: string | undefined): string | undefined {
  if (escaped === undefined) return undefined;
  if (!escaped.includes('\\')) return escaped;
  try {
    return JSON.parse(`"${escaped}"`) as string;
  } catch {
    return undefined;
  }
}

/**
 * `gen_ai.input.messages`: the request's messages in the conventions' shape (role and
 * parts). Text, tool calls and tool results are kept; media parts are named by their
 * type only, never copied (a data URL can be megabytes).
 */
export function inputMessages(body: ChatCompletionRequest): string {
  return JSON.stringify(body.messages.map(messageParts));
}

function messageParts(m: ChatMessage): { role: string; parts: unknown[] } {
  const parts: unknown[] = [];
  if (m.role === 'tool') {
    parts.push({ type: 'tool_call_response', id: m.tool_call_id, response: textOf(m.content) });
    return { role: m.role, parts };
  }
  if (typeof m.content === 'string') {
    if (m.content !== '') parts.push({ type: 'text', content: m.content });
  } else if (Array.isArray(m.content)) {
    for (const p of m.content) {
      parts.push(p.type === 'text' ? { type: 'text', content: p.text } : { type: p.type });
    }
  }
  for (const t of m.tool_calls ?? []) {
    parts.push({
      type: 'tool_call',
      id: t.id,
      name: t.function.name,
      arguments: t.function.arguments,
    });
  }
  return { role: m.role, parts };
}

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

/**
 * `error.type` of a failed attempt, low-cardinality as the conventions ask: the
 * upstream's HTTP status when it answered with an error, the timeout that fired, the
 * gateway's error code otherwise.
 */
export function errorType(err: unknown): string {
  if (isClientAbort(err)) return 'client_closed';
  if (err instanceof GatewayError) {
    if (err.upstreamStatus !== undefined) return String(err.upstreamStatus);
    if (err.code === ErrorCode.UpstreamTimeout && typeof err.wireCode === 'string') {
      return err.wireCode;
    }
    return err.code;
  }
  return '_OTHER';
}
