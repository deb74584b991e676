import type { EventSourceMessage } from 'eventsource-parser';
import type { ChatCompletionChunk, Usage } from '../../openai/chat-completion.types.js';
import { upstreamError } from '../../common/http/upstream-errors.js';
import type { StreamChunk } from '../provider-adapter.js';
import { parseEventJson } from '../upstream-exchange.js';
import { parseOpenAIError } from './openai-errors.js';

/**
 * Translates OpenAI-family SSE events into stream chunks, keeping each chunk's original
 * JSON text so it can be relayed without re-serialising. Ends at `[DONE]` or at the end
 * of the body; an `{"error":…}` event mid-stream becomes a GatewayError. Groq's
 * `x_groq.usage` is lifted into `usage` so accounting sees one shape.
 */
export async function* openAIChunks(
  events: AsyncIterable<EventSourceMessage>,
  provider: string,
  secrets: Array<string | undefined>,
): AsyncGenerator<StreamChunk> {
  for await (const event of events) {
    const data = event.data;
    if (data === '[DONE]') return;
    if (data === '') continue;
    const parsed = parseEventJson(data, provider);
    if (typeof parsed !== 'object' || parsed === null) continue;
    if ('error' in parsed && !('choices' in parsed)) {
      throw upstreamError(provider, 500, {}, parseOpenAIError(data), secrets);
    }
    const chunk = parsed as ChatCompletionChunk;
    const groqUsage = (chunk.x_groq as { usage?: Usage } | undefined)?.usage;
    if (groqUsage && !chunk.usage) {
      chunk.usage = groqUsage;
      yield { chunk };
      continue;
    }
    yield { chunk, raw: data };
  }
}
