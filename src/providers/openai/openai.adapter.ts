import type { ProviderConfig } from '../../config/config.js';
import type { ProviderType } from '../../config/provider-types.js';
import type { ChatCompletion } from '../../openai/chat-completion.types.js';
import { upstreamError } from '../../common/http/upstream-errors.js';
import type { UpstreamHttp, UpstreamRequest } from '../../common/http/upstream-http.service.js';
import type { ProviderAdapter, StreamChunk, UpstreamCall } from '../provider-adapter.js';
import {
  invalidResponse,
  openEventStream,
  readJsonObject,
  sendOrThrow,
  type UpstreamErrorReader,
} from '../upstream-exchange.js';
import { parseOpenAIError } from './openai-errors.js';
import { toOpenAIRequestBody } from './openai-request.js';
import { normalizeOpenAICompletion } from './openai-response.js';
import { openAIChunks } from './openai-stream.js';
import { checkUpstreamModelId } from '../upstream-model-id.js';

/**
 * OpenAI, every OpenAI-compatible server, and Azure OpenAI: the same protocol, differing
 * only in URL and auth header. Mostly passthrough.
 */
export class OpenAIAdapter implements ProviderAdapter {
  readonly name: string;
  readonly type: ProviderType;
  private readonly authHeaders: Record<string, string>;
  private readonly query: string;

  constructor(
    private readonly config: ProviderConfig,
    private readonly http: UpstreamHttp,
  ) {
    this.name = config.name;
    this.type = config.type;
    const isAzure = config.type === 'azure-openai';
    this.authHeaders = {};
    if (config.apiKey) {
      if (isAzure) this.authHeaders['api-key'] = config.apiKey;
      else this.authHeaders.authorization = `Bearer ${config.apiKey}`;
    }
    this.query = isAzure ? `?api-version=${encodeURIComponent(config.apiVersion ?? '')}` : '';
  }

  /** The model goes in the body; ids with `/` (OpenRouter's `openai/gpt-4o`) are fine. */
  upstreamModel(model: string): string {
    return checkUpstreamModelId(model);
  }

  async complete(call: UpstreamCall): Promise<ChatCompletion> {
    const req = this.chatRequest(call, false);
    const res = await sendOrThrow(this.http, req, this.toError, call.onUpstreamHeaders);
    const json = await readJsonObject(this.http, res, req, 'a chat completion');
    if (!Array.isArray(json.choices)) throw invalidResponse(this.name, 'a chat completion');
    return normalizeOpenAICompletion(json as ChatCompletion);
  }

  async stream(call: UpstreamCall): Promise<AsyncIterable<StreamChunk>> {
    const req = this.chatRequest(call, true);
    const events = await openEventStream(this.http, req, this.toError, call.onUpstreamHeaders);
    return openAIChunks(events, this.name, this.secrets());
  }

  async listModels(signal: AbortSignal): Promise<string[]> {
    const req: UpstreamRequest = {
      provider: this.name,
      method: 'GET',
      url: `${this.config.baseUrl}/models${this.query}`,
      base: this.config.baseUrl,
      headers: { ...this.config.headers, ...this.authHeaders },
      signal,
    };
    const res = await this.http.send(req);
    const text = await this.http.readText(res, req);
    if (res.status >= 400) {
      throw upstreamError(
        this.name,
        res.status,
        res.headers,
        parseOpenAIError(text),
        this.secrets(),
      );
    }
    const json = JSON.parse(text) as { data?: Array<{ id?: unknown }> };
    return (json.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
  }

  private chatRequest(call: UpstreamCall, stream: boolean): UpstreamRequest {
    const model = this.upstreamModel(call.model);
    return {
      provider: this.name,
      method: 'POST',
      url: `${this.config.baseUrl}/chat/completions${this.query}`,
      base: this.config.baseUrl,
      headers: {
        'x-request-id': call.requestId,
        ...call.traceHeaders,
        ...this.config.headers,
        ...this.authHeaders,
        'content-type': 'application/json',
        accept: stream ? 'text/event-stream' : 'application/json',
      },
      body: JSON.stringify(
        toOpenAIRequestBody(call.body, model, stream, this.type !== 'openai-compatible'),
      ),
      signal: call.signal,
    };
  }

  private secrets(): Array<string | undefined> {
    return [this.config.apiKey];
  }

  private readonly toError: UpstreamErrorReader = (status, headers, text) =>
    upstreamError(this.name, status, headers, parseOpenAIError(text), this.secrets());
}
