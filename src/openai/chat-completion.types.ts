/**
 * The OpenAI Chat Completions wire shapes as Tollgate uses them internally, plus the
 * gateway's additions (`provider`, `usage.raw_usage`, `reasoning_content`).
 * Field names stay snake_case: these objects go on the wire as they are.
 *
 * Types only, shared by chat, providers, usage and common. The request side is the request
 * DTO itself (src/chat/dto), the one definition its OpenAPI schema and runtime validator
 * also come from; it is re-exported here as types so no other module reaches into chat/.
 */
import type {
  ChatCompletionRequestDto,
  ChatMessageDto,
  NamedToolChoiceDto,
  ToolCallDto,
  ToolDto,
} from '../chat/dto/chat-completion-request.dto.js';
import type { REASONING_EFFORTS, TOOL_CHOICE_MODES } from '../chat/dto/chat-enums.js';

export type { ContentPart } from '../chat/dto/content-part.dto.js';

/** A validated client request body. Unknown fields are kept and forwarded to OpenAI-family upstreams. */
export type ChatCompletionRequest = ChatCompletionRequestDto;
export type ChatMessage = ChatMessageDto;
export type ToolCall = ToolCallDto;
export type FunctionTool = ToolDto;
export type ToolChoice = (typeof TOOL_CHOICE_MODES)[number] | NamedToolChoiceDto;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: {
    cached_tokens?: number;
    /** Tokens written to the provider's prompt cache (Anthropic cache_creation). */
    cache_write_tokens?: number;
    audio_tokens?: number;
    [k: string]: unknown;
  } | null;
  completion_tokens_details?: {
    reasoning_tokens?: number;
    audio_tokens?: number;
    accepted_prediction_tokens?: number;
    rejected_prediction_tokens?: number;
    [k: string]: unknown;
  } | null;
  /** The upstream's own usage object, unchanged. */
  raw_usage?: Record<string, unknown>;
  [extra: string]: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface ChatCompletionChoice {
  index: number;
  message: {
    role: 'assistant';
    content: string | null;
    refusal?: string | null;
    tool_calls?: ToolCall[];
    reasoning_content?: string;
    [k: string]: unknown;
  };
  finish_reason: FinishReason | null;
  logprobs?: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: ChatCompletionChoice[];
  usage?: Usage;
  system_fingerprint?: string | null;
  service_tier?: string | null;
  provider?: string;
  [extra: string]: unknown;
}

export interface ChunkToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
  extra_content?: Record<string, unknown>;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: 'assistant';
      content?: string | null;
      reasoning_content?: string;
      refusal?: string | null;
      tool_calls?: ChunkToolCallDelta[];
      [k: string]: unknown;
    };
    finish_reason: FinishReason | null;
    logprobs?: unknown;
  }>;
  usage?: Usage | null;
  system_fingerprint?: string | null;
  [extra: string]: unknown;
}
