import type { ChatCompletionRequest, ReasoningEffort } from '../../openai/chat-completion.types.js';
import { convertToGeminiContents } from './convert-to-gemini-contents.js';
import { invalidParam, unsupportedParam } from '../shared/request-errors.js';
import { toThinkingConfig } from './gemini-thinking.js';
import { convertToolChoice, convertTools } from './gemini-tools.js';
import type { GeminiGenerateContentRequest, GeminiGenerationConfig } from './gemini.types.js';

/*
 * OpenAI Chat Completions request → Gemini `GenerateContentRequest`.
 *
 * Mapped:
 *   messages                      → systemInstruction + contents (convert-to-gemini-contents.ts)
 *   tools / tool_choice           → tools[].functionDeclarations / toolConfig (gemini-tools.ts)
 *   max_completion_tokens         → maxOutputTokens (max_tokens when it is absent). Both
 *                                   sides count reasoning inside this limit.
 *   stop                          → stopSequences
 *   temperature, top_p, n, seed   → temperature, topP, candidateCount, seed (seed must fit
 *                                   Gemini's int32, else a 400)
 *   presence/frequency_penalty    → presencePenalty / frequencyPenalty (models without
 *                                   penalty support answer with their own 400)
 *   response_format json_object   → responseMimeType "application/json"
 *   response_format json_schema   → responseMimeType + responseJsonSchema (JSON Schema as
 *                                   sent, for the same reason as tool schemas); `name`,
 *                                   `description` and `strict` have no slot and are dropped
 *                                   (Gemini always holds output to the schema)
 *   reasoning_effort /
 *   reasoning.effort              → generationConfig.thinkingConfig (gemini-thinking.ts)
 *   stream                        → the endpoint (streamGenerateContent?alt=sse), not a field
 *
 * Rejected with a 400 naming the parameter (Gemini cannot honour them, or the answer
 * could not be translated back faithfully):
 *   logprobs / top_logprobs       Gemini's logprobs come back in another shape; not translated
 *   logit_bias                    no Gemini equivalent
 *   functions / function_call     legacy function calling; use tools / tool_choice
 *   audio, modalities ≠ ["text"]  audio output is not translated
 *   web_search_options            no translation of search grounding
 *
 * Dropped, with the reason:
 *   user                          no Gemini field; the gateway records it for accounting
 *   parallel_tool_calls           Gemini has no switch; it may still return several calls
 *   stream_options                usage always arrives; the relay shows it when asked
 *   service_tier, store,
 *   metadata, prediction          OpenAI account/storage/latency features with no meaning here
 *   other unknown fields          extensions for other upstreams; never forwarded
 */
export function toGeminiRequest(
  body: ChatCompletionRequest,
  model: string,
): GeminiGenerateContentRequest {
  rejectUnsupported(body);
  const prompt = convertToGeminiContents(body.messages);
  const tools = convertTools(body.tools);
  const toolConfig = convertToolChoice(body.tool_choice, body.tools);
  const generationConfig = toGenerationConfig(body, model);
  return {
    contents: prompt.contents,
    ...(prompt.systemInstruction ? { systemInstruction: prompt.systemInstruction } : {}),
    ...(tools ? { tools } : {}),
    ...(toolConfig ? { toolConfig } : {}),
    ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
  };
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Sampling, length, output format and thinking settings. */
export function toGenerationConfig(
  body: ChatCompletionRequest,
  model: string,
): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  const has = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

  if (has(body.n)) config.candidateCount = body.n;
  if (has(body.stop)) {
    const stops = typeof body.stop === 'string' ? [body.stop] : body.stop;
    if (stops.length > 0) config.stopSequences = stops;
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (has(maxTokens)) config.maxOutputTokens = maxTokens;
  if (has(body.temperature)) config.temperature = body.temperature;
  if (has(body.top_p)) config.topP = body.top_p;
  if (has(body.seed)) {
    if (body.seed < INT32_MIN || body.seed > INT32_MAX) {
      throw invalidParam('seed', 'Gemini takes a 32-bit seed, between -2147483648 and 2147483647.');
    }
    config.seed = body.seed;
  }
  if (has(body.presence_penalty)) config.presencePenalty = body.presence_penalty;
  if (has(body.frequency_penalty)) config.frequencyPenalty = body.frequency_penalty;

  const format = body.response_format;
  if (format?.type === 'json_object') {
    config.responseMimeType = 'application/json';
  } else if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    if (format.json_schema.schema) config.responseJsonSchema = format.json_schema.schema;
  }

  const { effort, param } = reasoningEffortOf(body);
  const thinking = toThinkingConfig(model, effort, param);
  if (thinking) config.thinkingConfig = thinking;
  return config;
}

/** `reasoning_effort` (Chat Completions) wins over `reasoning.effort` (Responses style). */
function reasoningEffortOf(body: ChatCompletionRequest): {
  effort?: ReasoningEffort;
  param: string;
} {
  if (body.reasoning_effort) return { effort: body.reasoning_effort, param: 'reasoning_effort' };
  if (body.reasoning?.effort) return { effort: body.reasoning.effort, param: 'reasoning.effort' };
  return { param: 'reasoning_effort' };
}

function rejectUnsupported(body: ChatCompletionRequest): void {
  const reject = (param: string, why: string): never => {
    throw unsupportedParam(param, `'${param}' is not supported for Gemini providers: ${why}.`);
  };
  if (body.logprobs === true) reject('logprobs', 'log probabilities are not translated');
  if (body.top_logprobs !== undefined && body.top_logprobs !== null) {
    reject('top_logprobs', 'log probabilities are not translated');
  }
  const bias = body.logit_bias;
  if (typeof bias === 'object' && bias !== null && Object.keys(bias).length > 0) {
    reject('logit_bias', 'Gemini has no logit bias');
  }
  if (body.functions !== undefined && body.functions !== null) {
    reject('functions', 'use tools instead');
  }
  if (body.function_call !== undefined && body.function_call !== null) {
    reject('function_call', 'use tool_choice instead');
  }
  if (body.audio !== undefined && body.audio !== null)
    reject('audio', 'audio output is not translated');
  const modalities = body.modalities;
  if (Array.isArray(modalities) && modalities.some((m) => m !== 'text')) {
    reject('modalities', 'only text output is translated');
  }
  if (body.web_search_options !== undefined && body.web_search_options !== null) {
    reject('web_search_options', 'search grounding is not translated');
  }
}
