import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ValidatedBy } from '../../common/validation/validated-by.decorator.js';
import { REASONING_EFFORTS, ROLES } from './chat-enums.js';
import { validateChatRequest } from './chat-request.validator.js';
import { CONTENT_PART_DTOS } from './content-part.dto.js';
import { IsMessageContent, IsStop, IsToolChoice } from './content.validator.js';

const contentSchema = {
  nullable: true,
  oneOf: [
    { type: 'string' },
    { type: 'array', items: { oneOf: CONTENT_PART_DTOS.map((d) => ({ $ref: getSchemaPath(d) })) } },
  ],
};

export class FunctionCallDto {
  @IsString()
  @IsNotEmpty()
  name!: string;

  /** The arguments as a JSON-encoded string. */
  @IsString()
  arguments!: string;
}

export class ToolCallDto {
  @IsString()
  @IsNotEmpty()
  id!: string;

  @IsIn(['function'])
  type!: 'function';

  @IsDefined()
  @ValidateNested()
  @Type(() => FunctionCallDto)
  function!: FunctionCallDto;

  /** Provider data carried through the OpenAI shape, e.g. `{"google":{"thought_signature":"…"}}`. */
  @IsOptional()
  @IsObject()
  extra_content?: Record<string, unknown>;
}

@ApiExtraModels(...CONTENT_PART_DTOS)
export class ChatMessageDto {
  @IsIn(ROLES)
  role!: (typeof ROLES)[number];

  /** A string, or an array of content parts (text, image_url, input_audio, file). Null only for assistant messages with tool calls. */
  @ApiProperty(contentSchema)
  @IsMessageContent()
  content?: string | object[] | null;

  @IsOptional()
  @IsString()
  name?: string;

  /** Tool calls made by the assistant in an earlier turn. */
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ToolCallDto)
  tool_calls?: ToolCallDto[];

  /** For `role: "tool"`: the id of the tool call this message answers. */
  @ValidateIf((m: ChatMessageDto) => m.role === 'tool' || m.tool_call_id !== undefined)
  @IsString()
  @IsNotEmpty()
  tool_call_id?: string;

  /** Reasoning text of an earlier assistant turn (returned by reasoning models). */
  @IsOptional()
  @IsString()
  reasoning_content?: string;

  /** Signature of that reasoning, as returned by the gateway (Anthropic thinking); send it back unchanged. */
  @IsOptional()
  @IsString()
  reasoning_signature?: string;
}

export class FunctionDefinitionDto {
  /** a-z, A-Z, 0-9, underscores and dashes, at most 64 characters. */
  @Matches(/^[a-zA-Z0-9_.-]{1,64}$/, {
    message: 'function.name must be 1-64 characters of a-z, A-Z, 0-9, _, . or -',
  })
  name!: string;

  @IsOptional()
  @IsString()
  description?: string;

  /** JSON Schema of the function's parameters. */
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;

  @IsOptional()
  @IsBoolean()
  strict?: boolean;
}

export class ToolDto {
  @IsIn(['function'])
  type!: 'function';

  @IsDefined()
  @ValidateNested()
  @Type(() => FunctionDefinitionDto)
  function!: FunctionDefinitionDto;
}

export class StreamOptionsDto {
  /** When true, a final chunk with `choices: []` carries the usage of the whole stream. */
  @IsOptional()
  @IsBoolean()
  include_usage?: boolean;
}

export class ReasoningDto {
  @IsOptional()
  @IsIn(REASONING_EFFORTS)
  effort?: (typeof REASONING_EFFORTS)[number];
}

export class JsonSchemaFormatDto {
  @IsString()
  @IsNotEmpty()
  name!: string;

  @IsOptional()
  @IsString()
  description?: string;

  @IsOptional()
  @IsObject()
  schema?: Record<string, unknown>;

  @IsOptional()
  @IsBoolean()
  strict?: boolean;
}

export class ResponseFormatDto {
  @IsIn(['text', 'json_object', 'json_schema'])
  type!: 'text' | 'json_object' | 'json_schema';

  @ValidateIf((f: ResponseFormatDto) => f.type === 'json_schema')
  @IsDefined()
  @ValidateNested()
  @Type(() => JsonSchemaFormatDto)
  json_schema?: JsonSchemaFormatDto;
}

/**
 * OpenAI Chat Completions request. Fields not listed here are forwarded unchanged to
 * OpenAI-family upstreams.
 */
@ValidatedBy(validateChatRequest)
export class ChatCompletionRequestDto {
  /** `provider/model` (e.g. `openai/gpt-4o-mini`), a model name served by exactly one provider, or a configured alias. */
  @IsString()
  @IsNotEmpty()
  model!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => ChatMessageDto)
  messages!: ChatMessageDto[];

  /** Routing hint: the provider instance to use. Never sent upstream. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  provider?: string;

  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto;

  /** Upper bound on generated tokens (legacy name of max_completion_tokens). */
  @IsOptional()
  @IsInt()
  @Min(1)
  max_tokens?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  max_completion_tokens?: number;

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature?: number;

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  top_p?: number;

  /** How many choices to generate. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(128)
  n?: number;

  /** Up to 4 sequences where generation stops. */
  @ApiProperty({
    required: false,
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 4 }],
  })
  @IsOptional()
  @IsStop()
  stop?: string | string[];

  @IsOptional()
  @IsNumber()
  @Min(-2)
  @Max(2)
  presence_penalty?: number;

  @IsOptional()
  @IsNumber()
  @Min(-2)
  @Max(2)
  frequency_penalty?: number;

  @IsOptional()
  @IsObject()
  logit_bias?: Record<string, number>;

  @IsOptional()
  @IsBoolean()
  logprobs?: boolean;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  top_logprobs?: number;

  @IsOptional()
  @IsInt()
  seed?: number;

  /** End-user identifier, recorded with usage. */
  @IsOptional()
  @IsString()
  user?: string;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ToolDto)
  tools?: ToolDto[];

  /** `none`, `auto`, `required`, or `{"type":"function","function":{"name":"…"}}`. */
  @ApiProperty({
    required: false,
    oneOf: [
      { type: 'string', enum: ['none', 'auto', 'required'] },
      {
        type: 'object',
        properties: {
          type: { type: 'string', enum: ['function'] },
          function: {
            type: 'object',
            properties: { name: { type: 'string' } },
            required: ['name'],
          },
        },
        required: ['type', 'function'],
      },
    ],
  })
  @IsOptional()
  @IsToolChoice()
  tool_choice?: string | object;

  @IsOptional()
  @IsBoolean()
  parallel_tool_calls?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => ReasoningDto)
  reasoning?: ReasoningDto;

  @IsOptional()
  @IsIn(REASONING_EFFORTS)
  reasoning_effort?: (typeof REASONING_EFFORTS)[number];

  @IsOptional()
  @ValidateNested()
  @Type(() => ResponseFormatDto)
  response_format?: ResponseFormatDto;

  @IsOptional()
  @IsString()
  service_tier?: string;

  @IsOptional()
  @IsBoolean()
  store?: boolean;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, string>;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  modalities?: string[];
}
