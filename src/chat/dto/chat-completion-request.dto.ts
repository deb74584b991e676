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
import { REASONING_EFFORTS, ROLES, TOOL_CHOICE_MODES } from './chat-enums.js';
import { deriveChatRequestValidator } from './chat-request.validator.js';
import { CONTENT_PART_DTOS, type ContentPart } from './content-part.dto.js';

/*
 * The chat request contract, defined once. The OpenAPI schema is generated from these
 * classes (Swagger plugin metadata in src/metadata.ts); the runtime validator is that same
 * schema compiled with Ajv, plus the few rules a schema cannot say (chat-request.validator.ts);
 * the TypeScript type of a validated body is these classes (src/openai/chat-completion.types.ts).
 * Adding a parameter is adding a property here.
 *
 * Properties with @IsOptional() also accept null, as OpenAI does (the type says so where
 * the code reading it handles null).
 */

const contentSchema = {
  nullable: true,
  oneOf: [
    { type: 'string' },
    {
      type: 'array',
      items: {
        type: 'object',
        title: 'content part',
        oneOf: CONTENT_PART_DTOS.map((d) => ({ $ref: getSchemaPath(d) })),
        discriminator: { propertyName: 'type' },
      },
    },
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

  /** A string, or an array of content parts (text, image_url, input_audio, file; refusal for assistant messages). Null or absent only for assistant messages. */
  @ApiProperty(contentSchema)
  content?: string | ContentPart[] | null;

  @IsOptional()
  @IsString()
  name?: string;

  /** Tool calls made by the assistant in an earlier turn. */
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ToolCallDto)
  tool_calls?: ToolCallDto[] | null;

  /** For `role: "tool"`: the id of the tool call this message answers. */
  @ValidateIf((m: ChatMessageDto) => m.role === 'tool' || m.tool_call_id !== undefined)
  @IsString()
  @IsNotEmpty()
  tool_call_id?: string;

  /** Reasoning text of an earlier assistant turn (returned by reasoning models). */
  @IsOptional()
  @IsString()
  reasoning_content?: string | null;

  /** Signature of that reasoning, as returned by the gateway (Anthropic thinking); send it back unchanged. */
  @IsOptional()
  @IsString()
  reasoning_signature?: string | null;

  /** Fields not declared here are forwarded to OpenAI-family upstreams. */
  [extra: string]: unknown;
}

export class FunctionDefinitionDto {
  /** 1-64 characters of a-z, A-Z, 0-9, underscores, dots and dashes. */
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
  strict?: boolean | null;
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
  include_usage?: boolean | null;

  [extra: string]: unknown;
}

export class ReasoningDto {
  @IsOptional()
  @IsIn(REASONING_EFFORTS)
  effort?: (typeof REASONING_EFFORTS)[number] | null;

  [extra: string]: unknown;
}

export class ToolChoiceFunctionDto {
  @IsString()
  @IsNotEmpty()
  name!: string;
}

/** Forces a call of the named function. */
export class NamedToolChoiceDto {
  @IsIn(['function'])
  type!: 'function';

  @IsDefined()
  @ValidateNested()
  @Type(() => ToolChoiceFunctionDto)
  function!: ToolChoiceFunctionDto;
}

export class JsonSchemaFormatDto {
  @IsString()
  @IsNotEmpty()
  name!: string;

  @IsOptional()
  @IsString()
  description?: string | null;

  @IsOptional()
  @IsObject()
  schema?: Record<string, unknown> | null;

  @IsOptional()
  @IsBoolean()
  strict?: boolean | null;
}

export class ResponseFormatDto {
  @IsIn(['text', 'json_object', 'json_schema'])
  type!: 'text' | 'json_object' | 'json_schema';

  /** Required with `type: "json_schema"`. */
  @ValidateIf((f: ResponseFormatDto) => f.type === 'json_schema')
  @IsDefined()
  @ValidateNested()
  @Type(() => JsonSchemaFormatDto)
  json_schema?: JsonSchemaFormatDto;
}

/** A validated `response_format`: `json_schema` is there when the type says so. */
export type ResponseFormat =
  | (ResponseFormatDto & { type: 'text' })
  | (ResponseFormatDto & { type: 'json_object' })
  | (ResponseFormatDto & { type: 'json_schema'; json_schema: JsonSchemaFormatDto });

/**
 * OpenAI Chat Completions request. Fields not listed here are forwarded unchanged to
 * OpenAI-family upstreams.
 */
@ApiExtraModels(NamedToolChoiceDto)
@ValidatedBy(deriveChatRequestValidator)
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
  stream?: boolean | null;

  @IsOptional()
  @ValidateNested()
  @Type(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto | null;

  /** Upper bound on generated tokens (legacy name of max_completion_tokens). */
  @IsOptional()
  @IsInt()
  @Min(1)
  max_tokens?: number | null;

  @IsOptional()
  @IsInt()
  @Min(1)
  max_completion_tokens?: number | null;

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature?: number | null;

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  top_p?: number | null;

  /** How many choices to generate. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(128)
  n?: number | null;

  /** Up to 4 sequences where generation stops. */
  @ApiProperty({
    required: false,
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 4 }],
  })
  @IsOptional()
  stop?: string | string[] | null;

  @IsOptional()
  @IsNumber()
  @Min(-2)
  @Max(2)
  presence_penalty?: number | null;

  @IsOptional()
  @IsNumber()
  @Min(-2)
  @Max(2)
  frequency_penalty?: number | null;

  @IsOptional()
  @IsObject()
  logit_bias?: Record<string, number> | null;

  @IsOptional()
  @IsBoolean()
  logprobs?: boolean | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  top_logprobs?: number | null;

  @IsOptional()
  @IsInt()
  seed?: number | null;

  /** End-user identifier, recorded with usage. */
  @IsOptional()
  @IsString()
  user?: string | null;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ToolDto)
  tools?: ToolDto[];

  /** `none`, `auto`, `required`, or `{"type":"function","function":{"name":"…"}}`. */
  @ApiProperty({
    required: false,
    oneOf: [
      { type: 'string', enum: [...TOOL_CHOICE_MODES] },
      { $ref: getSchemaPath(NamedToolChoiceDto) },
    ],
  })
  @IsOptional()
  tool_choice?: (typeof TOOL_CHOICE_MODES)[number] | NamedToolChoiceDto;

  @IsOptional()
  @IsBoolean()
  parallel_tool_calls?: boolean | null;

  @IsOptional()
  @ValidateNested()
  @Type(() => ReasoningDto)
  reasoning?: ReasoningDto | null;

  @IsOptional()
  @IsIn(REASONING_EFFORTS)
  reasoning_effort?: (typeof REASONING_EFFORTS)[number] | null;

  @ApiProperty({ type: () => ResponseFormatDto, required: false })
  @IsOptional()
  @ValidateNested()
  @Type(() => ResponseFormatDto)
  response_format?: ResponseFormat | null;

  @IsOptional()
  @IsString()
  service_tier?: string | null;

  @IsOptional()
  @IsBoolean()
  store?: boolean | null;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, string> | null;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  modalities?: string[] | null;

  [extra: string]: unknown;
}
