import type { ChatCompletionRequest } from '../../openai/chat-completion.types.js';

/**
 * The body sent to an OpenAI-family upstream: the client's body with unknown fields
 * kept, the routing hint removed and the upstream model id in place. Streams always ask
 * for usage so every request can be accounted; the relay hides the usage chunk from
 * clients that did not ask for it.
 */
export function toOpenAIRequestBody(
  body: ChatCompletionRequest,
  model: string,
  stream: boolean,
): Record<string, unknown> {
  const { provider: _hint, ...rest } = body;
  const out: Record<string, unknown> = { ...rest, model };
  if (stream) {
    out.stream = true;
    out.stream_options = { ...(body.stream_options ?? {}), include_usage: true };
  } else if (out.stream !== undefined) {
    delete out.stream;
    delete out.stream_options;
  }
  return out;
}
