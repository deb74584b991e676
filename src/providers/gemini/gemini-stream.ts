import type { EventSourceMessage } from 'eventsource-parser';
import type { ChatCompletionChunk, Usage } from '../../openai/chat-completion.types.js';
import { ErrorCode, GatewayError } from '../../common/errors/gateway-error.js';
import type { ParsedChunk } from '../provider-adapter.js';
import { parseEventJson } from '../upstream-exchange.js';
import { geminiUpstreamError, promptBlockedError } from './gemini-errors.js';
import type { GeminiResponseContext } from './gemini-response.js';
import { sortCandidateParts } from './gemini-response.js';
import { convertGeminiUsage } from './gemini-usage.js';
import type { GeminiGenerateContentResponse } from './gemini.types.js';
import { mapGeminiFinishReason } from './map-gemini-finish-reason.js';

type Choice = ChatCompletionChunk['choices'][number];

interface CandidateState {
  toolCalls: number;
  finished: boolean;
}

/**
 * Turns `streamGenerateContent?alt=sse` events into OpenAI chunks. Every event is a whole
 * `GenerateContentResponse` holding the next slice of each candidate:
 *
 * - a candidate's first appearance emits a role chunk, then its deltas follow: thought
 *   text → `reasoning_content`, text → `content`, each function call (which arrives
 *   whole) → one tool-call delta with id, name and the complete arguments, `index`
 *   counting that candidate's tool calls;
 * - `finishReason` (only on a candidate's last event) → a separate finish chunk, STOP
 *   after a function call being `tool_calls`;
 * - `usageMetadata` is cumulative on every event: the latest is kept, reported through
 *   `onUsage` whenever it grows, and sent once, as the final `choices: []` chunk.
 */
export class GeminiStreamTranslator {
  private readonly candidates = new Map<number, CandidateState>();
  private id?: string;
  private model?: string;
  private usage?: Usage;
  private usageKey = '';

  constructor(
    private readonly ctx: GeminiResponseContext,
    private readonly onUsage?: (usage: Usage) => void,
  ) {}

  /** The chunks one upstream event becomes. */
  push(res: GeminiGenerateContentResponse): ChatCompletionChunk[] {
    this.id ??= res.responseId ?? this.ctx.fallbackId;
    this.model ??= res.modelVersion ?? this.ctx.model;
    this.trackUsage(res);
    const candidates = res.candidates ?? [];
    if (candidates.length === 0 && res.promptFeedback?.blockReason) {
      throw promptBlockedError(this.ctx.provider, res.promptFeedback.blockReason);
    }

    const roles: Choice[] = [];
    const deltas: Choice[] = [];
    const finishes: Choice[] = [];
    candidates.forEach((c, position) => {
      const index = c.index ?? position;
      let state = this.candidates.get(index);
      if (!state) {
        state = { toolCalls: 0, finished: false };
        this.candidates.set(index, state);
        roles.push({ index, delta: { role: 'assistant', content: '' }, finish_reason: null });
      }
      const out = sortCandidateParts(c.content?.parts ?? [], this.id!, index, state.toolCalls);
      const delta: Choice['delta'] = {};
      if (out.reasoning !== '') delta.reasoning_content = out.reasoning;
      if (out.hasText) delta.content = out.text;
      if (out.toolCalls.length > 0) {
        delta.tool_calls = out.toolCalls.map((call, k) => ({
          index: state.toolCalls + k,
          ...call,
        }));
        state.toolCalls += out.toolCalls.length;
      }
      if (Object.keys(delta).length > 0) deltas.push({ index, delta, finish_reason: null });
      const finish = mapGeminiFinishReason(c.finishReason, state.toolCalls > 0);
      if (finish && !state.finished) {
        state.finished = true;
        finishes.push({ index, delta: {}, finish_reason: finish });
      }
    });
    return [roles, deltas, finishes].filter((c) => c.length > 0).map((c) => this.chunk(c));
  }

  /**
   * The chunks that close the stream: the usage chunk. A stream whose candidates never
   * finished was cut short upstream, which the client must learn as an error rather
   * than as a complete answer.
   */
  finish(): ChatCompletionChunk[] {
    const unfinished =
      this.candidates.size === 0 || [...this.candidates.values()].some((s) => !s.finished);
    if (unfinished) {
      throw new GatewayError(
        ErrorCode.UpstreamInvalidResponse,
        `The upstream provider '${this.ctx.provider}' ended the stream before the answer was finished.`,
      );
    }
    return this.usage ? [{ ...this.chunk([]), usage: this.usage }] : [];
  }

  private trackUsage(res: GeminiGenerateContentResponse): void {
    const u = res.usageMetadata;
    if (!u) return;
    const key = [
      u.promptTokenCount,
      u.candidatesTokenCount,
      u.thoughtsTokenCount,
      u.toolUsePromptTokenCount,
      u.cachedContentTokenCount,
      u.totalTokenCount,
    ].join();
    if (key === this.usageKey) return;
    this.usageKey = key;
    this.usage = convertGeminiUsage(u);
    this.onUsage?.(this.usage);
  }

  private chunk(choices: Choice[]): ChatCompletionChunk {
    return {
      id: this.id ?? this.ctx.fallbackId,
      object: 'chat.completion.chunk',
      created: this.ctx.created,
      model: this.model ?? this.ctx.model,
      choices,
    };
  }
}

/**
 * Parses the SSE events and runs them through the translator. An `{"error":…}` event
 * (Gemini's way of failing after the 200) becomes a GatewayError thrown from the
 * iterator, which the relay turns into one error event.
 */
export async function* geminiChunks(
  events: AsyncIterable<EventSourceMessage>,
  translator: GeminiStreamTranslator,
  provider: string,
  secrets: Array<string | undefined>,
): AsyncGenerator<ParsedChunk> {
  for await (const event of events) {
    const data = event.data.trim();
    if (data === '') continue;
    const parsed = parseEventJson(data, provider);
    if (typeof parsed !== 'object' || parsed === null) continue;
    if ('error' in parsed) throw geminiUpstreamError(provider, 500, {}, data, secrets);
    for (const chunk of translator.push(parsed as GeminiGenerateContentResponse)) yield { chunk };
  }
  for (const chunk of translator.finish()) yield { chunk };
}
