import type { EventSourceMessage } from 'eventsource-parser';
import type { ChatCompletionChunk, Usage } from '../../openai/chat-completion.types.js';
import { upstreamError } from '../../common/http/upstream-errors.js';
import type { PassThroughChunk, StreamChunk } from '../provider-adapter.js';
import { parseEventJson } from '../upstream-exchange.js';
import { parseOpenAIError } from './openai-errors.js';

/**
 * Translates OpenAI-family SSE events into stream chunks, keeping each chunk's original
 * JSON text so it can be relayed without re-serialising. Ends at `[DONE]` or at the end
 * of the body; an `{"error":…}` event mid-stream becomes a GatewayError. Groq's
 * `x_groq.usage` is lifted into `usage` so accounting sees one shape.
 *
 * Most chunks are only relayed: a chunk that cannot carry usage or an error is passed
 * through unparsed, with its content text and whether it carries output read off the
 * JSON text (`passThrough`). Anything else is parsed.
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
    const light = passThrough(data);
    if (light) {
      yield light;
      continue;
    }
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

/** `"content":"…"` string values (unescaped quotes only: not inside another string). */
const CONTENT = /"content":"((?:[^"\\]|\\.)*)"/g;
const OUTPUT = /"(?:tool_calls":\[|reasoning_content":"[^"])/;

/**
 * A chunk that needs no parsing: an ordinary choices chunk without usage, error or
 * provider extras. `null` for anything else (it is then parsed), so a miss only costs a
 * parse, never a wrong relay.
 */
export function passThrough(data: string): PassThroughChunk | null {
  if (
    !data.startsWith('{') ||
    !data.includes('"choices":[') ||
    data.includes('"usage":{') ||
    data.includes('"error"') ||
    data.includes('"x_groq"')
  ) {
    return null;
  }
  let text = '';
  CONTENT.lastIndex = 0;
  for (let m = CONTENT.exec(data); m !== null; m = CONTENT.exec(data)) {
    const escaped = m[1];
    if (escaped === '') continue;
    try {
      text += escaped.includes('\\') ? (JSON.parse(`"${escaped}"`) as string) : escaped;
    } catch {
      return null;
    }
  }
  return { raw: data, text, output: text !== '' || OUTPUT.test(data) };
}
