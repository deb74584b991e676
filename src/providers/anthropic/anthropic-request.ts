import type { ChatCompletionRequest } from '../../openai/chat-completion.types.js';
import type { AnthropicRequest } from './anthropic.types.js';
import { toAnthropicSampling } from './anthropic-sampling.js';
import { toAnthropicPrompt } from './convert-to-anthropic-messages.js';
import { defaultMaxTokens } from './default-max-tokens.js';
import { toAnthropicThinking } from './map-reasoning-effort.js';
import { toAnthropicTools } from './prepare-anthropic-tools.js';
import { invalidParam, unsupportedParam } from '../shared/request-errors.js';

/*
 * OpenAI Chat Completions → Anthropic Messages: what happens to each parameter.
 *
 * Mapped
 *   messages        system/developer → top-level `system` (in order); tool → tool_result
 *                   (one user turn per run of results, results first); same-role turns merged
 *   max_completion_tokens, then max_tokens → max_tokens; neither → `default_max_tokens`
 *                   of the provider config, else the model family's output ceiling
 *                   (default-max-tokens.ts)
 *   reasoning_effort / reasoning.effort → thinking {type:"enabled", budget_tokens} (see
 *                   map-reasoning-effort.ts; max_tokens is raised to budget + requested when it
 *                   would not exceed the budget)
 *   tools, tool_choice, parallel_tool_calls → tools, tool_choice (+disable_parallel_tool_use)
 *   temperature (0-1 only), top_p → same; stop → stop_sequences
 *   user (else safety_identifier) → metadata.user_id
 *   response_format json_schema → output_config.format (Anthropic structured outputs)
 *   service_tier auto → auto, default → standard_only
 *
 * Reasoning round trip: responses expose Anthropic's thinking as `reasoning_content` and its
 *   signature as `reasoning_signature` (message field; a delta field when streaming). An
 *   assistant message sent back with both gets its thinking block restored; reasoning without
 *   a signature is dropped, since Anthropic only accepts thinking it signed.
 *
 * Rejected with a 400 naming the parameter (Anthropic cannot honour them, and answering as if
 *   it had would mislead the client)
 *   n > 1, logprobs, top_logprobs, logit_bias (non-empty), audio / modalities other than
 *   text, web_search_options, functions / function_call (legacy; use tools), response_format
 *   json_object (no schema-less JSON mode), service_tier flex/scale/priority, temperature > 1,
 *   temperature ≠ 1 or top_p < 0.95 or a forced tool choice while reasoning is on, input
 *   audio and file ids in content, unsupported image types.
 *
 * Dropped (no Anthropic counterpart, and leaving them out does not change what a correct
 *   answer looks like)
 *   seed (best-effort determinism on OpenAI too), presence_penalty / frequency_penalty and
 *   verbosity (style nudges), store and metadata (OpenAI-side storage and dashboards),
 *   prompt_cache_key / prompt_cache_retention (Anthropic caches by explicit breakpoints),
 *   prediction (a latency optimisation), message `name`, image `detail`, stream_options (the
 *   gateway always reports usage), and fields outside the OpenAI API (this adapter translates,
 *   it does not pass through).
 */

export interface AnthropicRequestOptions {
  /** The upstream model id. */
  model: string;
  stream: boolean;
  /** Per-model `max_tokens` defaults from the provider config. */
  defaultMaxTokens?: Readonly<Record<string, number>>;
}

/** The `POST /v1/messages` body for an OpenAI chat completion request. */
export function toAnthropicRequest(
  body: ChatCompletionRequest,
  options: AnthropicRequestOptions,
): AnthropicRequest {
  rejectUnsupported(body);
  const { system, messages } = toAnthropicPrompt(body.messages);
  const toolConfig = toAnthropicTools(body);
  const requestedMax =
    body.max_completion_tokens ??
    body.max_tokens ??
    defaultMaxTokens(options.model, options.defaultMaxTokens);
  const { thinking, max_tokens } = toAnthropicThinking(
    body.reasoning_effort ?? body.reasoning?.effort,
    requestedMax,
  );
  const forced = toolConfig.tool_choice?.type;
  if (thinking && (forced === 'any' || forced === 'tool')) {
    throw unsupportedParam(
      'tool_choice',
      "A forced tool choice ('required' or a named function) cannot be combined with reasoning; use 'auto' or turn reasoning off.",
    );
  }
  const sampling = toAnthropicSampling(body, thinking !== undefined);
  const userId = stringField(body.user) ?? stringField(body.safety_identifier);
  if (userId !== undefined && userId.length > 512) {
    throw invalidParam('user', "Invalid value for 'user': at most 512 characters.");
  }

  return {
    model: options.model,
    max_tokens,
    ...(system ? { system } : {}),
    messages,
    ...toolConfig,
    ...(thinking ? { thinking } : {}),
    ...sampling,
    ...stopSequences(body.stop),
    ...(userId ? { metadata: { user_id: userId } } : {}),
    ...serviceTier(body.service_tier),
    ...outputConfig(body.response_format),
    ...(options.stream ? { stream: true as const } : {}),
  };
}

function rejectUnsupported(body: ChatCompletionRequest): void {
  if (typeof body.n === 'number' && body.n > 1) {
    throw unsupportedParam('n', "This model returns one choice per request: 'n' must be 1.");
  }
  if (body.logprobs === true) {
    throw unsupportedParam('logprobs', 'Log probabilities are not available for this model.');
  }
  if (typeof body.top_logprobs === 'number' && body.top_logprobs > 0) {
    throw unsupportedParam('top_logprobs', 'Log probabilities are not available for this model.');
  }
  const bias = body.logit_bias;
  if (typeof bias === 'object' && bias !== null && Object.keys(bias).length > 0) {
    throw unsupportedParam('logit_bias', 'Logit bias is not supported by this model.');
  }
  if (body.audio !== undefined && body.audio !== null) {
    throw unsupportedParam('audio', 'Audio output is not supported by this model.');
  }
  if (Array.isArray(body.modalities) && body.modalities.some((m) => m !== 'text')) {
    throw unsupportedParam('modalities', "This model only produces the 'text' modality.");
  }
  if (body.web_search_options !== undefined && body.web_search_options !== null) {
    throw unsupportedParam(
      'web_search_options',
      'Web search options are not supported by this model.',
    );
  }
  if (body.functions !== undefined || body.function_call !== undefined) {
    throw unsupportedParam(
      body.functions !== undefined ? 'functions' : 'function_call',
      "The legacy 'functions' API is not supported; use 'tools' and 'tool_choice'.",
    );
  }
}

function stopSequences(stop: ChatCompletionRequest['stop']): { stop_sequences?: string[] } {
  if (stop === null || stop === undefined) return {};
  const list = typeof stop === 'string' ? [stop] : stop;
  return list.length > 0 ? { stop_sequences: [...list] } : {};
}

function serviceTier(tier: unknown): Pick<AnthropicRequest, 'service_tier'> {
  if (tier === undefined || tier === null) return {};
  if (tier === 'auto') return { service_tier: 'auto' };
  if (tier === 'default') return { service_tier: 'standard_only' };
  throw unsupportedParam(
    'service_tier',
    "This model supports service_tier 'auto' and 'default' only.",
  );
}

function outputConfig(
  format: ChatCompletionRequest['response_format'],
): Pick<AnthropicRequest, 'output_config'> {
  if (!format || format.type === 'text') return {};
  if (format.type === 'json_object') {
    throw unsupportedParam(
      'response_format',
      "This model has no schema-less JSON mode: use response_format type 'json_schema' with a schema.",
    );
  }
  const schema = format.json_schema.schema;
  if (!schema) {
    throw invalidParam(
      'response_format.json_schema.schema',
      "response_format 'json_schema' needs a schema for this model.",
    );
  }
  return { output_config: { format: { type: 'json_schema', schema } } };
}

function stringField(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
