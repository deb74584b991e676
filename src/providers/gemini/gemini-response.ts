import type {
  ChatCompletion,
  ChatCompletionChoice,
  ToolCall,
} from '../../openai/chat-completion.types.js';
import { ErrorCode, GatewayError } from '../../common/errors/gateway-error.js';
import { promptBlockedError } from './gemini-errors.js';
import { geminiToolCallId, toOpenAIToolCall } from './gemini-tool-calls.js';
import { convertGeminiUsage } from './gemini-usage.js';
import type { GeminiCandidate, GeminiGenerateContentResponse, GeminiPart } from './gemini.types.js';
import { mapGeminiFinishReason } from './map-gemini-finish-reason.js';

/** What the translation needs besides the response itself. */
export interface GeminiResponseContext {
  provider: string;
  /** The model that was asked for; used when the response has no `modelVersion`. */
  model: string;
  /** Unix seconds. */
  created: number;
  /** Used when the response has no `responseId`. */
  fallbackId: string;
}

/** One candidate's parts, sorted into what an OpenAI message carries. */
export interface CandidateOutput {
  text: string;
  hasText: boolean;
  reasoning: string;
  toolCalls: ToolCall[];
}

/**
 * Sorts a candidate's parts: thought parts → reasoning, other text → content, function
 * calls → tool calls (ids from `geminiToolCallId`, counting from `firstOrdinal`). A
 * `thoughtSignature` on a text part is not carried: Google validates signatures only on
 * function-call parts, and an OpenAI message has no per-part slot a client would send
 * back, so it is dropped (costing at most some reasoning context on the next turn).
 */
export function sortCandidateParts(
  parts: GeminiPart[],
  responseId: string,
  candidateIndex: number,
  firstOrdinal = 0,
): CandidateOutput {
  const out: CandidateOutput = { text: '', hasText: false, reasoning: '', toolCalls: [] };
  for (const part of parts) {
    if (part.functionCall) {
      const id = geminiToolCallId(responseId, candidateIndex, firstOrdinal + out.toolCalls.length);
      out.toolCalls.push(toOpenAIToolCall(part.functionCall, id, part.thoughtSignature));
    } else if (typeof part.text === 'string') {
      if (part.thought === true) {
        out.reasoning += part.text;
      } else if (part.text !== '') {
        out.text += part.text;
        out.hasText = true;
      }
    }
  }
  return out;
}

/**
 * A `generateContent` response → an OpenAI chat completion: one choice per candidate,
 * id from `responseId`, model from `modelVersion`, usage from `usageMetadata`. A prompt
 * Gemini blocked (no candidates, `promptFeedback.blockReason`) is a 400 `content_filter`.
 */
export function toChatCompletion(
  res: GeminiGenerateContentResponse,
  ctx: GeminiResponseContext,
): ChatCompletion {
  const candidates = res.candidates ?? [];
  if (candidates.length === 0) {
    const blockReason = res.promptFeedback?.blockReason;
    if (blockReason) throw promptBlockedError(ctx.provider, blockReason);
    throw new GatewayError(
      ErrorCode.UpstreamInvalidResponse,
      `The upstream provider '${ctx.provider}' returned no candidates.`,
    );
  }
  const id = res.responseId ?? ctx.fallbackId;
  const completion: ChatCompletion = {
    id,
    object: 'chat.completion',
    created: ctx.created,
    model: res.modelVersion ?? ctx.model,
    choices: candidates
      .map((c, position) => toChoice(c, c.index ?? position, id))
      .sort((a, b) => a.index - b.index),
  };
  if (res.usageMetadata) completion.usage = convertGeminiUsage(res.usageMetadata);
  return completion;
}

function toChoice(
  candidate: GeminiCandidate,
  index: number,
  responseId: string,
): ChatCompletionChoice {
  const out = sortCandidateParts(candidate.content?.parts ?? [], responseId, index);
  const message: ChatCompletionChoice['message'] = {
    role: 'assistant',
    content: out.hasText ? out.text : null,
    refusal: null,
  };
  if (out.reasoning !== '') message.reasoning_content = out.reasoning;
  if (out.toolCalls.length > 0) message.tool_calls = out.toolCalls;
  return {
    index,
    message,
    finish_reason:
      mapGeminiFinishReason(candidate.finishReason, out.toolCalls.length > 0) ?? 'stop',
    logprobs: null,
  };
}
