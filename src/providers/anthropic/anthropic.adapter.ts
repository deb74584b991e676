import type { ChatCompletion } from '../../openai/chat-completion.types.js';
import type { ProviderConfig } from '../../config/config.js';
import type { ProviderType } from '../../config/provider-types.js';
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
import type { AnthropicResponse } from './anthropic.types.js';
import { parseAnthropicError } from './anthropic-errors.js';
import { anthropicHeaders } from './anthropic-headers.js';
import { modelsPageUrl, parseModelsPage } from './anthropic-models.js';
import { toAnthropicRequest } from './anthropic-request.js';
import { toChatCompletion } from './anthropic-response.js';
import { anthropicChunks } from './anthropic-stream.js';
import { checkUpstreamModelId } from '../upstream-model-id.js';

/** Stops discovery from following a `has_more` that never ends. */
const MAX_MODEL_PAGES = 50;

/**
 * Anthropic's native Messages API behind the OpenAI Chat Completions surface. Wiring
 * only: the translation lives in the pure functions it calls.
 */
export class AnthropicAdapter implements ProviderAdapter {
  readonly name: string;
  readonly type: ProviderType;

  constructor(
    private readonly config: ProviderConfig,
    private readonly http: UpstreamHttp,
    /** Seconds since the epoch, for `created` (Anthropic sends no timestamp). */
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.name = config.name;
    this.type = config.type;
  }

  /** The model goes in the body. */
  upstreamModel(model: string): string {
    return checkUpstreamModelId(model);
  }

  async complete(call: UpstreamCall): Promise<ChatCompletion> {
    const req = this.messagesRequest(call, false);
    const res = await sendOrThrow(this.http, req, this.toError, call.onUpstreamHeaders);
    const json = await readJsonObject(this.http, res, req, 'a message');
    if (!Array.isArray(json.content)) throw invalidResponse(this.name, 'a message');
    return toChatCompletion(json as unknown as AnthropicResponse, this.nowSeconds());
  }

  async stream(call: UpstreamCall): Promise<AsyncIterable<StreamChunk>> {
    const req = this.messagesRequest(call, true);
    const events = await openEventStream(this.http, req, this.toError, call.onUpstreamHeaders);
    return anthropicChunks(events, {
      provider: this.name,
      secrets: this.secrets(),
      created: this.nowSeconds(),
      reportUsage: call.reportUsage,
    });
  }

  async listModels(signal: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    let afterId: string | undefined;
    for (let page = 0; page < MAX_MODEL_PAGES; page++) {
      const req: UpstreamRequest = {
        provider: this.name,
        method: 'GET',
        url: modelsPageUrl(this.config.baseUrl, afterId),
        base: this.config.baseUrl,
        headers: anthropicHeaders(this.config, {}, false),
        signal,
      };
      const res = await sendOrThrow(this.http, req, this.toError);
      const text = await this.http.readText(res, req);
      const { ids: pageIds, nextAfterId } = parseModelsPage(text, this.name);
      ids.push(...pageIds);
      if (nextAfterId === undefined || nextAfterId === afterId) break;
      afterId = nextAfterId;
    }
    return [...new Set(ids)];
  }

  private messagesRequest(call: UpstreamCall, stream: boolean): UpstreamRequest {
    const body = toAnthropicRequest(call.body, {
      model: this.upstreamModel(call.model),
      stream,
      defaultMaxTokens: this.config.defaultMaxTokens,
    });
    return {
      provider: this.name,
      method: 'POST',
      url: `${this.config.baseUrl}/v1/messages`,
      base: this.config.baseUrl,
      headers: {
        'x-request-id': call.requestId,
        ...call.traceHeaders,
        ...anthropicHeaders(this.config, call.clientHeaders),
        accept: stream ? 'text/event-stream' : 'application/json',
      },
      body: JSON.stringify(body),
      signal: call.signal,
    };
  }

  private secrets(): Array<string | undefined> {
    return [this.config.apiKey];
  }

  private readonly toError: UpstreamErrorReader = (status, headers, text) =>
    upstreamError(this.name, status, headers, parseAnthropicError(text), this.secrets());
}
