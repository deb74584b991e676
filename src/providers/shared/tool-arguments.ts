import { invalidParam } from './request-errors.js';

/**
 * Tool-call arguments (a JSON string in OpenAI) → the object native APIs want (Anthropic's
 * `tool_use.input`, Gemini's `functionCall.args`). An empty string means no arguments;
 * anything that is not a JSON object is a 400 naming `param`.
 */
export function parseToolArguments(args: string, param: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw invalidParam(param, `Invalid value for '${param}': the arguments are not valid JSON.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidParam(param, `Invalid value for '${param}': the arguments must be a JSON object.`);
  }
  return parsed as Record<string, unknown>;
}
