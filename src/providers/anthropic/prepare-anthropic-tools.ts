import type { ChatCompletionRequest } from '../../openai/chat-completion.types.js';
import type { AnthropicTool, AnthropicToolChoice } from './anthropic.types.js';
import { invalidParam } from '../shared/request-errors.js';

export interface AnthropicToolConfig {
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

/**
 * `tools`, `tool_choice` and `parallel_tool_calls` → Anthropic's `tools` + `tool_choice`.
 * auto→auto, required→any, named→{type:"tool"}, none→none; `parallel_tool_calls:false`
 * becomes `disable_parallel_tool_use:true` on the choice (an explicit auto when the
 * client gave none). Without tools, a choice that forces a call is a 400 and the others
 * are left out, as OpenAI does.
 */
export function toAnthropicTools(
  body: Pick<ChatCompletionRequest, 'tools' | 'tool_choice' | 'parallel_tool_calls'>,
): AnthropicToolConfig {
  const choice = body.tool_choice;
  if (!body.tools || body.tools.length === 0) {
    if (choice !== undefined && choice !== 'auto' && choice !== 'none') {
      throw invalidParam(
        'tool_choice',
        "tool_choice forces a tool call but no 'tools' were given.",
      );
    }
    return {};
  }

  const tools = body.tools.map((tool, i): AnthropicTool => {
    const fn = tool.function;
    if (!TOOL_NAME.test(fn.name)) {
      throw invalidParam(
        `tools[${i}].function.name`,
        `Tool name '${fn.name}' is not accepted by this model: use 1-128 characters of a-z, A-Z, 0-9, _ or -.`,
      );
    }
    return {
      name: fn.name,
      ...(fn.description ? { description: fn.description } : {}),
      input_schema: toInputSchema(fn.parameters, `tools[${i}].function.parameters`),
      ...(fn.strict === true ? { strict: true } : {}),
    };
  });

  const disableParallel = body.parallel_tool_calls === false;
  let toolChoice: AnthropicToolChoice | undefined;
  if (choice === undefined) {
    toolChoice = disableParallel ? { type: 'auto' } : undefined;
  } else if (choice === 'auto') {
    toolChoice = { type: 'auto' };
  } else if (choice === 'required') {
    toolChoice = { type: 'any' };
  } else if (choice === 'none') {
    toolChoice = { type: 'none' };
  } else {
    const name = choice.function.name;
    if (!tools.some((t) => t.name === name)) {
      throw invalidParam('tool_choice', `tool_choice names '${name}', which is not in 'tools'.`);
    }
    toolChoice = { type: 'tool', name };
  }
  if (toolChoice && toolChoice.type !== 'none' && disableParallel) {
    toolChoice = { ...toolChoice, disable_parallel_tool_use: true };
  }
  return { tools, ...(toolChoice ? { tool_choice: toolChoice } : {}) };
}

/**
 * OpenAI `parameters` → `input_schema`, which Anthropic requires to be an object schema.
 * No parameters means an empty object; a schema without `type` is taken as an object
 * schema; any other type is a 400.
 */
export function toInputSchema(
  parameters: Record<string, unknown> | undefined,
  param: string,
): AnthropicTool['input_schema'] {
  if (parameters === undefined) return { type: 'object', properties: {} };
  if (parameters.type === undefined) return { type: 'object', ...parameters };
  if (parameters.type !== 'object') {
    throw invalidParam(param, 'Tool parameters must be a JSON Schema with "type": "object".');
  }
  return parameters as AnthropicTool['input_schema'];
}
