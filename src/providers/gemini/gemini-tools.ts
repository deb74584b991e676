import type { FunctionTool, ToolChoice } from '../../openai/chat-completion.types.js';
import { invalidParam } from '../shared/request-errors.js';
import type { GeminiTool, GeminiToolConfig } from './gemini.types.js';

/**
 * OpenAI `tools` → one Gemini tool holding every `functionDeclarations` entry.
 *
 * Schemas go in `parametersJsonSchema` exactly as the client wrote them, not converted to
 * the OpenAPI-subset `parameters` Schema. That subset cannot express what OpenAI tool
 * schemas routinely use (`additionalProperties: false` from strict mode, `$ref`/`$defs`
 * from Pydantic and Zod, `type: ["string","null"]`, `const`, `oneOf`), so a conversion
 * would have to drop constraints without telling anyone; with JSON Schema, Gemini either
 * honours a keyword or rejects the request with a 400 that names it.
 *
 * `function.strict` is dropped: Gemini has no per-function strictness switch and always
 * decodes arguments against the declared schema.
 */
export function convertTools(tools: FunctionTool[] | undefined): GeminiTool[] | undefined {
  if (!tools || tools.length === 0) return undefined;
  return [
    {
      functionDeclarations: tools.map((t) => ({
        name: t.function.name,
        ...(t.function.description !== undefined ? { description: t.function.description } : {}),
        ...(t.function.parameters !== undefined
          ? { parametersJsonSchema: t.function.parameters }
          : {}),
      })),
    },
  ];
}

/**
 * `tool_choice` → `toolConfig.functionCallingConfig`: auto → AUTO, none → NONE,
 * required → ANY, a named function → ANY restricted to that name. Without tools, auto and
 * none mean nothing and are left out; required or a named function is a 400, as OpenAI
 * answers it.
 */
export function convertToolChoice(
  choice: ToolChoice | undefined,
  tools: FunctionTool[] | undefined,
): GeminiToolConfig | undefined {
  if (choice === undefined) return undefined;
  const hasTools = (tools?.length ?? 0) > 0;
  if (choice === 'auto' || choice === 'none') {
    return hasTools
      ? { functionCallingConfig: { mode: choice === 'auto' ? 'AUTO' : 'NONE' } }
      : undefined;
  }
  if (!hasTools) {
    throw invalidParam('tool_choice', "'tool_choice' requires 'tools' to be set.");
  }
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  const name = choice.function.name;
  if (!tools!.some((t) => t.function.name === name)) {
    throw invalidParam(
      'tool_choice',
      `'tool_choice' names the function '${name}', which is not in 'tools'.`,
    );
  }
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
}
