import type { EventSourceMessage } from 'eventsource-parser';
import type {
  ChatCompletionChunk,
  FinishReason,
  Usage,
} from '../../openai/chat-completion.types.js';
import { ErrorCode, GatewayError } from '../../common/errors/gateway-error.js';
import type { ParsedChunk } from '../provider-adapter.js';
import { parseEventJson } from '../upstream-exchange.js';
import type { AnthropicDelta, AnthropicStreamEvent, AnthropicUsage } from './anthropic.types.js';
import { anthropicStreamError } from './anthropic-errors.js';
import { completionId } from './anthropic-response.js';
import { mergeAnthropicUsage, toOpenAIUsage } from './anthropic-usage.js';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';

export interface AnthropicStreamOptions {
  /** Provider instance name, for error messages. */
  provider: string;
  /** Strings to redact from upstream error messages. */
  secrets: Array<string | undefined>;
  /** `created` of every chunk (Anthropic sends no timestamp). */
  created: number;
  /** Told the usage known so far, from `message_start` on. */
  reportUsage?: (usage: Usage) => void;
}

type BlockState =
  | { kind: 'text' }
  | { kind: 'thinking' }
  | { kind: 'tool'; toolIndex: number; sentArguments: boolean; startInput: unknown }
  | { kind: 'skip' };

type Delta = ChatCompletionChunk['choices'][number]['delta'];

/**
 * Anthropic stream events → OpenAI chunks, one event at a time:
 *
 * - `message_start` → the role chunk (and the input-side usage, reported at once);
 * - text deltas → `content`; thinking deltas → `reasoning_content`; the thinking block's
 *   signature → `reasoning_signature` (see anthropic-request.ts for the round trip);
 * - a `tool_use` block → a tool call whose `index` counts tool calls (0, 1, …), not
 *   Anthropic's block indexes: id and name on its first delta, then the arguments as the
 *   `input_json_delta` pieces arrive;
 * - `message_delta` → the finish chunk; `message_stop` → ALWAYS a final usage chunk
 *   (`choices: []`), which the relay hides from clients that did not ask for usage;
 * - `ping`, server-tool blocks and anything unknown are skipped; an `error` event is thrown
 *   as a GatewayError, as is a stream that ends before `message_stop` (a cut-off answer
 *   must not look complete).
 */
export async function* anthropicChunks(
  events: AsyncIterable<EventSourceMessage>,
  options: AnthropicStreamOptions,
): AsyncGenerator<ParsedChunk> {
  let id = completionId('');
  let model = '';
  let usage: AnthropicUsage | undefined;
  let finishSent = false;
  let toolCount = 0;
  const blocks = new Map<number, BlockState>();

  const chunk = (delta: Delta, finishReason: FinishReason | null = null): ParsedChunk => ({
    chunk: {
      id,
      object: 'chat.completion.chunk',
      created: options.created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    },
  });
  const report = (): void => {
    if (usage) options.reportUsage?.(toOpenAIUsage(usage));
  };

  for await (const message of events) {
    const event = parseEvent(message.data, options.provider);
    if (!event) continue;
    switch (event.type) {
      case 'message_start': {
        id = completionId(event.message.id);
        model = event.message.model;
        usage = mergeAnthropicUsage(usage, event.message.usage);
        report();
        yield chunk({ role: 'assistant', content: '' });
        break;
      }
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'text') {
          blocks.set(event.index, { kind: 'text' });
          if (typeof block.text === 'string' && block.text !== '') {
            yield chunk({ content: block.text });
          }
        } else if (block.type === 'thinking') {
          blocks.set(event.index, { kind: 'thinking' });
          if (typeof block.thinking === 'string' && block.thinking !== '') {
            yield chunk({ reasoning_content: block.thinking });
          }
          if (typeof block.signature === 'string' && block.signature !== '') {
            yield chunk({ reasoning_signature: block.signature });
          }
        } else if (block.type === 'tool_use') {
          const toolIndex = toolCount++;
          blocks.set(event.index, {
            kind: 'tool',
            toolIndex,
            sentArguments: false,
            startInput: block.input,
          });
          yield chunk({
            tool_calls: [
              {
                index: toolIndex,
                id: String(block.id),
                type: 'function',
                function: { name: String(block.name), arguments: '' },
              },
            ],
          });
        } else {
          blocks.set(event.index, { kind: 'skip' });
        }
        break;
      }
      case 'content_block_delta': {
        const out = translateDelta(blocks.get(event.index), event.delta);
        if (out) yield chunk(out);
        break;
      }
      case 'content_block_stop': {
        // A tool_use block whose input came whole in content_block_start, with no deltas.
        const state = blocks.get(event.index);
        if (state?.kind === 'tool' && !state.sentArguments && hasKeys(state.startInput)) {
          state.sentArguments = true;
          yield chunk({
            tool_calls: [
              { index: state.toolIndex, function: { arguments: JSON.stringify(state.startInput) } },
            ],
          });
        }
        break;
      }
      case 'message_delta': {
        usage = mergeAnthropicUsage(usage, event.usage);
        report();
        if (!finishSent && event.delta?.stop_reason) {
          finishSent = true;
          yield chunk({}, mapAnthropicStopReason(event.delta.stop_reason));
        }
        break;
      }
      case 'message_stop': {
        if (!finishSent) yield chunk({}, 'stop');
        const final: ChatCompletionChunk = {
          id,
          object: 'chat.completion.chunk',
          created: options.created,
          model,
          choices: [],
          usage: toOpenAIUsage(usage ?? {}),
        };
        yield { chunk: final };
        return;
      }
      case 'error':
        throw anthropicStreamError(options.provider, message.data, options.secrets);
      case 'ping':
        break;
      default:
        break;
    }
  }
  throw new GatewayError(
    ErrorCode.UpstreamInvalidResponse,
    `The upstream provider '${options.provider}' ended the stream before the answer was complete.`,
  );
}

/** The OpenAI delta for one `content_block_delta`, or null when it carries nothing to relay. */
function translateDelta(state: BlockState | undefined, delta: AnthropicDelta): Delta | null {
  if (!state || state.kind === 'skip') return null;
  switch (delta.type) {
    case 'text_delta':
      return state.kind === 'text' && delta.text !== '' ? { content: delta.text } : null;
    case 'thinking_delta':
      return state.kind === 'thinking' && delta.thinking !== ''
        ? { reasoning_content: delta.thinking }
        : null;
    case 'signature_delta':
      return state.kind === 'thinking' && delta.signature !== ''
        ? { reasoning_signature: delta.signature }
        : null;
    case 'input_json_delta':
      // The first piece of every tool input is "": nothing to send yet.
      if (state.kind !== 'tool' || delta.partial_json === '') return null;
      state.sentArguments = true;
      return {
        tool_calls: [{ index: state.toolIndex, function: { arguments: delta.partial_json } }],
      };
    case 'citations_delta':
    default:
      return null;
  }
}

/**
 * One event's data. Anthropic pads some events with whitespace inside the JSON
 * (`{"type":"ping"}   `), which JSON.parse accepts as it is.
 */
function parseEvent(data: string, provider: string): AnthropicStreamEvent | null {
  if (data.trim() === '') return null;
  const parsed = parseEventJson(data, provider);
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof (parsed as { type?: unknown }).type !== 'string'
  ) {
    return null;
  }
  return parsed as AnthropicStreamEvent;
}

function hasKeys(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.keys(v).length > 0;
}
