import type { ChatCompletionRequest } from '../../openai/chat-completion.types.js';

/**
 * The body sent to an OpenAI-family upstream: the client's body with unknown fields
 * kept, the routing hint removed and the upstream model id in place. Streams always ask
 * for usage so every request can be accounted; the relay hides the usage chunk from
 * clients that did not ask for it.
 *
 * `reasoningEffortField`: the upstream is OpenAI's own Chat Completions API (or Azure's),
 * which knows `reasoning_effort` and refuses a `reasoning` object, so the seed's
 * `reasoning: {effort}` becomes `reasoning_effort` there. Other OpenAI-compatible servers
 * get `reasoning` as sent (OpenRouter and others take it natively).
 */
export function toOpenAIRequestBody(
  body: ChatCompletionRequest,
  model: string,
  stream: boolean,
  reasoningEffortField = false,
): Record<string, unknown> {
  const { provider: _hint, ...rest } = body;
  const out: Record<string, unknown> = { ...rest, model };
  if (reasoningEffortField && out.reasoning !== undefined) {
    const effort = (body.reasoning as { effort?: unknown } | null | undefined)?.effort;
    if (out.reasoning_effort === undefined && effort !== undefined) out.reasoning_effort = effort;
    delete out.reasoning;
  }
  if (stream) {
    out.stream = true;
    out.stream_options = { ...(body.stream_options ?? {}), include_usage: true };
  } else if (out.stream !== undefined) {
    delete out.stream;
    delete out.stream_options;
  }
  return out;
}
