import type { Type } from '@nestjs/common';
import { ErrorCode, GatewayError } from '../../common/errors/gateway-error.js';
import { compileSchemaValidator } from '../../common/validation/schema-validator.js';
import type { FastValidator } from '../../common/validation/validated-by.decorator.js';
import { dtoSchemas } from '../../openapi/dto-schema.js';
import type { ChatCompletionRequest } from '../../openai/chat-completion.types.js';

/**
 * The chat request's validator, derived from `ChatCompletionRequestDto` at start: the DTO's
 * OpenAPI schema (the one /openapi.json serves) compiled with Ajv, then `checkChatRules`.
 * A few microseconds per request, where class-validator over the same DTO costs hundreds.
 */
export async function deriveChatRequestValidator(dto: Type<unknown>): Promise<FastValidator> {
  const { root, schemas } = await dtoSchemas(dto);
  return compileSchemaValidator(
    root,
    schemas as Record<string, Record<string, unknown>>,
    checkChatRules,
  );
}

/** Content part types each role may send. */
const PART_TYPES_BY_ROLE: Record<string, readonly string[]> = {
  user: ['text', 'image_url', 'input_audio', 'file'],
  system: ['text'],
  developer: ['text'],
  tool: ['text'],
  function: ['text'],
  assistant: ['text', 'refusal'],
};

/**
 * What the schema cannot say, checked on a body it accepted: rules that depend on a
 * message's role or on a sibling field.
 */
export function checkChatRules(body: ChatCompletionRequest): GatewayError | null {
  dropNullOptionals(body);
  const messages = body.messages;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const p = `messages[${i}]`;
    const content = m.content;
    if (content === undefined || content === null) {
      if (m.role !== 'assistant') return fail(`${p}.content`, 'content is required for this role');
    } else if (Array.isArray(content)) {
      if (content.length === 0 && m.role !== 'assistant' && !Array.isArray(m.tool_calls)) {
        return fail(`${p}.content`, 'content must not be an empty array');
      }
      const allowed = PART_TYPES_BY_ROLE[m.role] ?? ['text'];
      for (let j = 0; j < content.length; j++) {
        const part = content[j];
        if (!allowed.includes(part.type)) {
          return fail(`${p}.content`, `content[${j}].type must be one of ${allowed.join(', ')}`);
        }
        if (part.type === 'file' && part.file.file_data == null && part.file.file_id == null) {
          return fail(`${p}.content`, `content[${j}].file must have file_data or file_id`);
        }
      }
    }
    if (m.role === 'tool' && m.tool_call_id === undefined) {
      return fail(`${p}.tool_call_id`, 'tool_call_id is required for role "tool"');
    }
  }
  const format = body.response_format;
  if (format?.type === 'json_schema' && format.json_schema == null) {
    return fail('response_format.json_schema', 'json_schema is required with type "json_schema"');
  }
  return null;
}

/**
 * OpenAI reads `null` for an optional field as "not set"; so does every translator once
 * the nulls are gone. Dropped at the top level, in messages (but `content`, where null
 * means "tool calls only") and in tool functions, so no translator meets a null it does
 * not expect. The forwarded body means the same to an OpenAI-family upstream.
 */
export function dropNullOptionals(body: ChatCompletionRequest): void {
  const top = body as unknown as Record<string, unknown>;
  for (const key in top) if (top[key] === null) delete top[key];
  for (const m of body.messages) {
    const msg = m as unknown as Record<string, unknown>;
    for (const key in msg) if (msg[key] === null && key !== 'content') delete msg[key];
  }
  if (Array.isArray(body.tools)) {
    for (const t of body.tools) {
      const fn = (t as unknown as { function?: Record<string, unknown> }).function;
      if (fn) for (const key in fn) if (fn[key] === null) delete fn[key];
    }
  }
}

function fail(param: string, problem: string): GatewayError {
  return new GatewayError(ErrorCode.InvalidRequest, `Invalid value for '${param}': ${problem}.`, {
    param,
    wireCode: 'invalid_value',
  });
}
