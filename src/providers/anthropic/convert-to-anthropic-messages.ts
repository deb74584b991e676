import type { ChatMessage } from '../../openai/chat-completion.types.js';
import type {
  AnthropicContentBlock,
  AnthropicMessage,
  AnthropicRole,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
} from './anthropic.types.js';
import { textBlocksOf, toAnthropicBlocks } from './convert-content-parts.js';
import { invalidParam, unsupportedParam } from '../shared/request-errors.js';
import { parseToolArguments } from '../shared/tool-arguments.js';

export interface AnthropicPrompt {
  system?: AnthropicTextBlock[];
  messages: AnthropicMessage[];
}

interface Turn {
  role: AnthropicRole;
  blocks: AnthropicContentBlock[];
}

/**
 * OpenAI messages → Anthropic `system` + `messages`.
 *
 * - system and developer messages, wherever they appear, become top-level `system` text
 *   blocks in their original order;
 * - tool messages become `tool_result` blocks in a user turn; consecutive results share
 *   one user message, and in a user turn the results always come first;
 * - an assistant turn is [thinking (round-trip, see `assistantBlocks`)] + text +
 *   `tool_use` blocks;
 * - Anthropic requires user/assistant alternation, so consecutive turns of one role are
 *   merged (which also joins the user turns around a hoisted system message);
 * - turns left without content (an empty assistant message, `content: ""`) are dropped
 *   because Anthropic rejects empty messages.
 */
export function toAnthropicPrompt(messages: ChatMessage[]): AnthropicPrompt {
  const system: AnthropicTextBlock[] = [];
  const turns: Turn[] = [];
  messages.forEach((m, i) => {
    const param = `messages[${i}]`;
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocksOf(m.content));
        return;
      case 'user':
        turns.push({ role: 'user', blocks: userBlocks(m, param) });
        return;
      case 'assistant':
        turns.push({ role: 'assistant', blocks: assistantBlocks(m, param) });
        return;
      case 'tool':
        turns.push({ role: 'user', blocks: [toolResultBlock(m, param)] });
        return;
      case 'function':
        throw unsupportedParam(
          `${param}.role`,
          "The legacy 'function' role is not supported; use tools and 'tool' messages.",
        );
    }
  });

  const merged: Turn[] = [];
  for (const turn of turns) {
    if (turn.blocks.length === 0) continue;
    const last = merged.at(-1);
    if (last && last.role === turn.role) last.blocks.push(...turn.blocks);
    else merged.push({ role: turn.role, blocks: [...turn.blocks] });
  }
  if (merged.length === 0) {
    throw invalidParam(
      'messages',
      'At least one user or assistant message with content is required.',
    );
  }
  return {
    ...(system.length > 0 ? { system } : {}),
    messages: merged.map(toMessage),
  };
}

function toMessage(turn: Turn): AnthropicMessage {
  const blocks =
    turn.role === 'user'
      ? [
          ...turn.blocks.filter((b) => b.type === 'tool_result'),
          ...turn.blocks.filter((b) => b.type !== 'tool_result'),
        ]
      : turn.blocks;
  // A lone text block goes as a plain string, the form clients and logs read most easily.
  const only = blocks.length === 1 ? blocks[0] : undefined;
  return { role: turn.role, content: only?.type === 'text' ? only.text : blocks };
}

function userBlocks(m: ChatMessage, param: string): AnthropicContentBlock[] {
  const content = m.content;
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return toAnthropicBlocks(content, `${param}.content`);
}

/**
 * The blocks of an earlier assistant turn. A thinking block is sent back only when the
 * message carries the `reasoning_signature` the gateway exposed with it: Anthropic
 * verifies the signature, and unsigned reasoning text (from another provider, or edited)
 * is dropped rather than passed off as the model's own words.
 */
function assistantBlocks(m: ChatMessage, param: string): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = [];
  const signature = m.reasoning_signature;
  if (typeof signature === 'string' && signature !== '') {
    const thinking = typeof m.reasoning_content === 'string' ? m.reasoning_content : '';
    blocks.push({ type: 'thinking', thinking, signature });
  }
  const content = m.content;
  if (typeof content === 'string') {
    if (content !== '') blocks.push({ type: 'text', text: content });
  } else if (Array.isArray(content)) {
    blocks.push(...toAnthropicBlocks(content, `${param}.content`));
  }
  (m.tool_calls ?? []).forEach((call, j) => {
    const where = `${param}.tool_calls[${j}]`;
    blocks.push({
      type: 'tool_use',
      id: toAnthropicToolId(call.id),
      name: call.function.name,
      input: parseToolArguments(call.function.arguments, `${where}.function.arguments`),
    } satisfies AnthropicToolUseBlock);
  });
  return blocks;
}

function toolResultBlock(m: ChatMessage, param: string): AnthropicToolResultBlock {
  if (typeof m.tool_call_id !== 'string' || m.tool_call_id === '') {
    throw invalidParam(`${param}.tool_call_id`, 'Tool messages need the tool_call_id they answer.');
  }
  const block: AnthropicToolResultBlock = {
    type: 'tool_result',
    tool_use_id: toAnthropicToolId(m.tool_call_id),
  };
  const content = m.content;
  if (typeof content === 'string') {
    if (content !== '') block.content = content;
  } else if (Array.isArray(content)) {
    const text = textBlocksOf(content);
    if (text.length > 0) block.content = text;
  }
  return block;
}

/**
 * Anthropic accepts tool ids of `[a-zA-Z0-9_-]` only; ids minted elsewhere (another
 * provider, a client) may carry other characters. The same mapping is applied to the
 * `tool_use` id and the `tool_result` that answers it, so the pair still matches.
 */
export function toAnthropicToolId(id: string): string {
  const safe = id.replace(/[^a-zA-Z0-9_-]/g, '_');
  return safe === '' ? '_' : safe;
}
