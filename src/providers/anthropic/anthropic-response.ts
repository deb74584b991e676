import type { ChatCompletion, ToolCall } from '../../openai/chat-completion.types.js';
import type { AnthropicResponse, AnthropicResponseBlock } from './anthropic.types.js';
import { toOpenAIUsage } from './anthropic-usage.js';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';

/** Anthropic message ids, in the OpenAI completion-id form (`chatcmpl-msg_…`): still traceable. */
export function completionId(messageId: string): string {
  return `chatcmpl-${messageId}`;
}

interface CollectedContent {
  text: string[];
  thinking: string[];
  signatures: string[];
  toolCalls: ToolCall[];
}

/**
 * A non-streamed Anthropic message → an OpenAI chat completion. Text blocks join into
 * `content` (null when the answer is only tool calls), `tool_use` blocks become
 * `tool_calls` with JSON-string arguments, thinking becomes `reasoning_content` plus
 * `reasoning_signature` (what a later request needs to send the thinking back; given only
 * for a single thinking block, whose signature covers exactly that text). Block types with
 * no OpenAI counterpart (server tools, their results, redacted thinking) are left out.
 */
export function toChatCompletion(message: AnthropicResponse, created: number): ChatCompletion {
  const { text, thinking, signatures, toolCalls } = collectContent(message.content ?? []);
  const content = text.length > 0 ? text.join('') : toolCalls.length > 0 ? null : '';
  return {
    id: completionId(message.id),
    object: 'chat.completion',
    created,
    model: message.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content,
          refusal: null,
          ...(thinking.length > 0 ? { reasoning_content: thinking.join('') } : {}),
          ...(signatures.length === 1 && thinking.length === 1
            ? { reasoning_signature: signatures[0] }
            : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          annotations: [],
        },
        logprobs: null,
        finish_reason: mapAnthropicStopReason(message.stop_reason),
      },
    ],
    usage: toOpenAIUsage(message.usage ?? {}),
  };
}

function collectContent(blocks: AnthropicResponseBlock[]): CollectedContent {
  const out: CollectedContent = { text: [], thinking: [], signatures: [], toolCalls: [] };
  for (const block of blocks) {
    if (block.type === 'text' && typeof block.text === 'string') {
      out.text.push(block.text);
    } else if (block.type === 'thinking' && typeof block.thinking === 'string') {
      out.thinking.push(block.thinking);
      if (typeof block.signature === 'string' && block.signature !== '') {
        out.signatures.push(block.signature);
      }
    } else if (block.type === 'tool_use' && typeof block.id === 'string') {
      out.toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  return out;
}
