/**
 * The OpenAI Chat Completions wire shapes as Tollgate uses them internally, plus the
 * gateway's additions (`provider`, `usage.raw_usage`, `reasoning_content`).
 * Field names stay snake_case: these objects go on the wire as they are.
 */

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

export interface TextPart {
  type: 'text';
  text: string;
}
export interface ImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}
export interface AudioPart {
  type: 'input_audio';
  input_audio: { data: string; format: string };
}
export interface FilePart {
  type: 'file';
  file: { file_data?: string; file_id?: string; filename?: string };
}
export interface RefusalPart {
  type: 'refusal';
  refusal: string;
}
export type ContentPart = TextPart | ImagePart | AudioPart | FilePart | RefusalPart;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  /** Provider-specific data carried through the OpenAI shape (e.g. Gemini thought signatures). */
  extra_content?: Record<string, unknown>;
}

export interface ChatMessage {
  role: Role;
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  reasoning_content?: string | null;
  /** Signature of `reasoning_content` (Anthropic thinking), sent back unchanged. */
  reasoning_signature?: string;
  [extra: string]: unknown;
}

export interface FunctionTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean | null;
  };
}

export type ToolChoice =
  'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

/** A validated client request body. Unknown fields are kept and forwarded to OpenAI-family upstreams. */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  provider?: string;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean; [k: string]: unknown } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  seed?: number | null;
  user?: string;
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  reasoning?: { effort?: ReasoningEffort; [k: string]: unknown } | null;
  reasoning_effort?: ReasoningEffort | null;
  response_format?:
    | { type: 'text' }
    | { type: 'json_object' }
    | {
        type: 'json_schema';
        json_schema: {
          name: string;
          schema?: Record<string, unknown>;
          strict?: boolean | null;
          description?: string;
        };
      };
  [extra: string]: unknown;
}

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
