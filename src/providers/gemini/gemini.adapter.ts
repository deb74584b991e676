import { randomUUID } from 'node:crypto';
import type { ChatCompletion } from '../../openai/chat-completion.types.js';
import type { UpstreamHttp, UpstreamRequest } from '../../common/http/upstream-http.service.js';
import type { ProviderConfig } from '../../config/config.js';
import type { ProviderType } from '../../config/provider-types.js';
import type { ProviderAdapter, StreamChunk, UpstreamCall } from '../provider-adapter.js';
import {
  openEventStream,
  readJsonObject,
  sendOrThrow,
  type UpstreamErrorReader,
} from '../upstream-exchange.js';
import { geminiUpstreamError } from './gemini-errors.js';
import { canonicalGeminiModel, geminiModelPath, parseGeminiModelsPage } from './gemini-models.js';
import { toGeminiRequest } from './gemini-request.js';
import { toChatCompletion, type GeminiResponseContext } from './gemini-response.js';
import { geminiChunks, GeminiStreamTranslator } from './gemini-stream.js';

/** Clock and id source, replaceable in tests. */
export interface GeminiAdapterDeps {
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** Completion id used when Gemini sends no `responseId`. */
  newId?: () => string;
}

/** Model listing stops here even if Google keeps handing out page tokens. */
const MAX_MODEL_PAGES = 20;

/**
 * Google's native Gemini API (`generateContent`, `streamGenerateContent?alt=sse`,
 * `x-goog-api-key`). Wiring only: the translation lives in the pure functions beside it.
 */
export class GeminiAdapter implements ProviderAdapter {
  readonly name: string;
  readonly type: ProviderType;
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(
    private readonly config: ProviderConfig,
    private readonly http: UpstreamHttp,
    deps: GeminiAdapterDeps = {},
  ) {
    this.name = config.name;
    this.type = config.type;
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? (() => `chatcmpl-${randomUUID().replaceAll('-', '')}`);
  }

  /** The model is a segment of the URL path: see `canonicalGeminiModel`. */
  upstreamModel(model: string): string {
    return canonicalGeminiModel(model);
  }

  async complete(call: UpstreamCall): Promise<ChatCompletion> {
    const req = this.chatRequest(call, false);
    const res = await sendOrThrow(this.http, req, this.toError, call.onUpstreamHeaders);
    const json = await readJsonObject(this.http, res, req, 'a Gemini answer');
    return toChatCompletion(json, this.responseContext(call));
  }

  async stream(call: UpstreamCall): Promise<AsyncIterable<StreamChunk>> {
    const req = this.chatRequest(call, true);
    const events = await openEventStream(this.http, req, this.toError, call.onUpstreamHeaders);
    const translator = new GeminiStreamTranslator(this.responseContext(call), call.reportUsage);
    return geminiChunks(events, translator, this.name, this.secrets());
  }

  async listModels(signal: AbortSignal): Promise<string[]> {
    const models: string[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_MODEL_PAGES; page++) {
      const query = new URLSearchParams({ pageSize: '1000' });
      if (pageToken) query.set('pageToken', pageToken);
      const req: UpstreamRequest = {
        provider: this.name,
        method: 'GET',
        url: `${this.config.baseUrl}/v1beta/models?${query.toString()}`,
        base: this.config.baseUrl,
        headers: { ...this.config.headers, ...this.authHeaders() },
        signal,
      };
      const res = await sendOrThrow(this.http, req, this.toError);
      const json = await readJsonObject(this.http, res, req, 'a Gemini model list');
      const parsed = parseGeminiModelsPage(json);
      models.push(...parsed.models);
      if (!parsed.nextPageToken || parsed.nextPageToken === pageToken) break;
      pageToken = parsed.nextPageToken;
    }
    return models;
  }

  private chatRequest(call: UpstreamCall, stream: boolean): UpstreamRequest {
    // Translating first means a request Gemini cannot take never leaves the gateway.
    const model = this.upstreamModel(call.model);
    const body = toGeminiRequest(call.body, model);
    const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
    return {
      provider: this.name,
      method: 'POST',
      url: `${this.config.baseUrl}/v1beta/${geminiModelPath(model)}:${method}`,
      base: this.config.baseUrl,
      headers: {
        'x-request-id': call.requestId,
        ...call.traceHeaders,
        ...this.config.headers,
        ...this.authHeaders(),
        'content-type': 'application/json',
        accept: stream ? 'text/event-stream' : 'application/json',
      },
      body: JSON.stringify(body),
      signal: call.signal,
    };
  }

  private responseContext(call: UpstreamCall): GeminiResponseContext {
    return {
      provider: this.name,
      model: call.model,
      created: Math.floor(this.now() / 1000),
      fallbackId: this.newId(),
    };
  }

  private authHeaders(): Record<string, string> {
    return this.config.apiKey ? { 'x-goog-api-key': this.config.apiKey } : {};
  }

  private secrets(): Array<string | undefined> {
    return [this.config.apiKey];
  }

  private readonly toError: UpstreamErrorReader = (status, headers, text) =>
    geminiUpstreamError(this.name, status, headers, text, this.secrets());
}
