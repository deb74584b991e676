import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { OUTPUT_CONTENT_PART_DTOS } from './content-part.dto.js';

/** Documentation shapes of what `/v1/chat/completions` returns. */

export class ResponseFunctionCallDto {
  name!: string;
  /** JSON-encoded arguments. */
  arguments!: string;
}

export class ResponseToolCallDto {
  id!: string;
  @ApiProperty({ enum: ['function'] })
  type!: 'function';
  function!: ResponseFunctionCallDto;
  /** Provider data to send back unchanged with this tool call (e.g. Gemini thought signatures). */
  @ApiProperty({ required: false, type: Object, additionalProperties: true })
  extra_content?: Record<string, unknown>;
}

@ApiExtraModels(...OUTPUT_CONTENT_PART_DTOS)
export class ResponseMessageDto {
  @ApiProperty({ enum: ['assistant'] })
  role!: 'assistant';
  /**
   * The reply text; null when the model only called tools. An OpenAI-family upstream that
   * answers with content parts (text, refusal) has them relayed as they came.
   */
  @ApiProperty({
    oneOf: [
      { type: 'string', nullable: true },
      {
        type: 'array',
        items: {
          oneOf: OUTPUT_CONTENT_PART_DTOS.map((d) => ({ $ref: getSchemaPath(d) })),
          discriminator: { propertyName: 'type' },
        },
      },
    ],
  })
  content!: string | null;
  tool_calls?: ResponseToolCallDto[];
  /** Reasoning / thinking text, where the provider returns it. */
  reasoning_content?: string;
  /** Signature of the reasoning (Anthropic thinking); send it back with reasoning_content in the next turn. */
  reasoning_signature?: string;
  refusal?: string | null;
  /** Citations attached to the reply, as OpenAI's `annotations` (empty when there are none). */
  @ApiProperty({
    required: false,
    type: 'array',
    items: { type: 'object', additionalProperties: true },
  })
  annotations?: Array<Record<string, unknown>>;
}

export class ChoiceDto {
  @ApiProperty({ type: 'integer' })
  index!: number;
  message!: ResponseMessageDto;
  @ApiProperty({
    enum: ['stop', 'length', 'tool_calls', 'content_filter', 'function_call'],
    nullable: true,
  })
  finish_reason!: string | null;
  @ApiProperty({ required: false, type: Object, nullable: true, additionalProperties: true })
  logprobs?: Record<string, unknown> | null;
}

export class PromptTokensDetailsDto {
  /** Prompt tokens read from the provider's cache. */
  @ApiPropertyOptional({ type: 'integer' })
  cached_tokens?: number;
  /** Prompt tokens written to the provider's cache. */
  @ApiPropertyOptional({ type: 'integer' })
  cache_write_tokens?: number;
  @ApiPropertyOptional({ type: 'integer' })
  audio_tokens?: number;
  @ApiPropertyOptional({ type: 'integer' })
  text_tokens?: number;
  @ApiPropertyOptional({ type: 'integer' })
  image_tokens?: number;
}

export class CompletionTokensDetailsDto {
  /** Reasoning tokens, counted inside completion_tokens. */
  @ApiPropertyOptional({ type: 'integer' })
  reasoning_tokens?: number;
  @ApiPropertyOptional({ type: 'integer' })
  audio_tokens?: number;
  @ApiPropertyOptional({ type: 'integer' })
  accepted_prediction_tokens?: number;
  @ApiPropertyOptional({ type: 'integer' })
  rejected_prediction_tokens?: number;
}

export class UsageDto {
  @ApiProperty({ type: 'integer' })
  prompt_tokens!: number;
  @ApiProperty({ type: 'integer' })
  completion_tokens!: number;
  /** prompt_tokens + completion_tokens. */
  @ApiProperty({ type: 'integer' })
  total_tokens!: number;
  prompt_tokens_details?: PromptTokensDetailsDto;
  completion_tokens_details?: CompletionTokensDetailsDto;
  /** The upstream provider's own usage object, unchanged. */
  @ApiProperty({ required: false, type: Object, additionalProperties: true })
  raw_usage?: Record<string, unknown>;
}

export class ChatCompletionResponseDto {
  id!: string;
  @ApiProperty({ enum: ['chat.completion'] })
  object!: 'chat.completion';
  /** Unix seconds. */
  @ApiProperty({ type: 'integer' })
  created!: number;
  model!: string;
  /** The provider instance that served the request. */
  provider!: string;
  system_fingerprint?: string | null;
  choices!: ChoiceDto[];
  usage?: UsageDto;
}

export class FunctionDeltaDto {
  name?: string;
  /** A fragment of the JSON-encoded arguments. */
  arguments?: string;
}

export class ToolCallDeltaDto {
  /** Counts tool calls within the choice: 0, 1, … */
  @ApiProperty({ type: 'integer' })
  index!: number;
  id?: string;
  @ApiProperty({ required: false, enum: ['function'] })
  type?: 'function';
  function?: FunctionDeltaDto;
  /** Provider data to send back unchanged with this tool call (e.g. Gemini thought signatures). */
  @ApiProperty({ required: false, type: Object, additionalProperties: true })
  extra_content?: Record<string, unknown>;
}

export class ChunkDeltaDto {
  @ApiProperty({ required: false, enum: ['assistant'] })
  role?: 'assistant';
  @ApiProperty({ required: false, nullable: true, type: 'string' })
  content?: string | null;
  reasoning_content?: string;
  reasoning_signature?: string;
  tool_calls?: ToolCallDeltaDto[];
  refusal?: string | null;
}

export class ChunkChoiceDto {
  @ApiProperty({ type: 'integer' })
  index!: number;
  delta!: ChunkDeltaDto;
  @ApiProperty({
    enum: ['stop', 'length', 'tool_calls', 'content_filter', 'function_call'],
    nullable: true,
  })
  finish_reason!: string | null;
  @ApiProperty({ required: false, type: Object, nullable: true, additionalProperties: true })
  logprobs?: Record<string, unknown> | null;
}

/** One `data:` event of a streamed completion; the stream ends with `data: [DONE]`. */
export class ChatCompletionChunkDto {
  id!: string;
  @ApiProperty({ enum: ['chat.completion.chunk'] })
  object!: 'chat.completion.chunk';
  /** Unix seconds. */
  @ApiProperty({ type: 'integer' })
  created!: number;
  model!: string;
  system_fingerprint?: string | null;
  choices!: ChunkChoiceDto[];
  /** Present on the final chunk (with `choices: []`) when `stream_options.include_usage` was set. */
  @ApiProperty({ required: false, nullable: true, type: () => UsageDto })
  usage?: UsageDto | null;
}
