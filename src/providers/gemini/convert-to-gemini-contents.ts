import type { ChatMessage, ContentPart } from '../../openai/chat-completion.types.js';
import { invalidParam, unsupportedParam } from '../shared/request-errors.js';
import { parseToolArguments } from '../shared/tool-arguments.js';
import { convertUserPart } from './gemini-media.js';
import { thoughtSignatureOf } from './gemini-tool-calls.js';
import type { GeminiContent, GeminiPart } from './gemini.types.js';

export interface GeminiPrompt {
  systemInstruction?: GeminiContent;
  contents: GeminiContent[];
}

/**
 * OpenAI messages → Gemini `systemInstruction` + `contents`.
 *
 * - system/developer → `systemInstruction` parts, in order, wherever they appear (Gemini
 *   has one system instruction; it cannot sit between turns).
 * - user → role `user`; assistant → role `model`.
 * - assistant `tool_calls` → `functionCall` parts after the assistant's text, arguments
 *   parsed back into an object; `extra_content.google.thought_signature` is restored as
 *   the part's `thoughtSignature` (Gemini 3 rejects a follow-up without it).
 * - tool (and legacy function) results → `functionResponse` parts in a user turn; the
 *   function NAME, which Gemini matches on, is recovered from the earlier assistant call
 *   with that `tool_call_id`; consecutive results share one turn, as Gemini expects one
 *   answer turn per calling turn.
 * - Dropped: an assistant's `reasoning_content` (Gemini does not take thoughts as input;
 *   the signature carries its reasoning state), message `name` (Gemini has no participant
 *   names), and empty text (Gemini rejects empty text parts). A message left without
 *   parts is left out.
 */
export function convertToGeminiContents(messages: ChatMessage[]): GeminiPrompt {
  const system: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  let resultsTurn: GeminiContent | undefined;

  const pushTurn = (role: 'user' | 'model', parts: GeminiPart[]): void => {
    if (parts.length > 0) contents.push({ role, parts });
  };

  messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (m.role !== 'tool' && m.role !== 'function') resultsTurn = undefined;
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(...textParts(m.content, at));
        break;
      case 'user':
        pushTurn('user', userParts(m.content, at));
        break;
      case 'assistant':
        pushTurn('model', assistantParts(m, at, callNames));
        break;
      case 'tool':
      case 'function': {
        if (!resultsTurn) {
          resultsTurn = { role: 'user', parts: [] };
          contents.push(resultsTurn);
        }
        resultsTurn.parts.push(functionResponsePart(m, at, callNames));
        break;
      }
    }
  });

  return {
    ...(system.length > 0 ? { systemInstruction: { parts: system } } : {}),
    contents,
  };
}

/**
 * A tool's output as the object `functionResponse.response` must be: a JSON object
 * string is passed as that object; anything else is wrapped as `{"result": "<text>"}`.
 */
export function toolResultObject(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        return value as Record<string, unknown>;
      }
    } catch {
      // not JSON after all: wrap it like any other text
    }
  }
  return { result: text };
}

function textParts(content: ChatMessage['content'], at: string): GeminiPart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  return content.flatMap((part, j) => {
    const text = textOf(part);
    if (text === undefined) {
      throw unsupportedParam(
        `${at}.content[${j}]`,
        `Content of type '${part.type}' is not allowed here.`,
      );
    }
    return text === '' ? [] : [{ text }];
  });
}

function textOf(part: ContentPart): string | undefined {
  if (part.type === 'text') return part.text;
  if (part.type === 'refusal') return part.refusal;
  return undefined;
}

function userParts(content: ChatMessage['content'], at: string): GeminiPart[] {
  if (content === undefined || content === null || typeof content === 'string') {
    return textParts(content, at);
  }
  return content
    .map((part, j) => convertUserPart(part, `${at}.content[${j}]`))
    .filter((p) => p.text !== '');
}

function assistantParts(m: ChatMessage, at: string, callNames: Map<string, string>): GeminiPart[] {
  const parts = textParts(m.content, at);
  (m.tool_calls ?? []).forEach((call, k) => {
    const args = parseToolArguments(
      call.function.arguments,
      `${at}.tool_calls[${k}].function.arguments`,
    );
    callNames.set(call.id, call.function.name);
    const signature = thoughtSignatureOf(call);
    parts.push({
      functionCall: { name: call.function.name, args },
      ...(signature ? { thoughtSignature: signature } : {}),
    });
  });
  return parts;
}

function functionResponsePart(
  m: ChatMessage,
  at: string,
  callNames: Map<string, string>,
): GeminiPart {
  let name: string | undefined;
  if (m.role === 'function') {
    name = m.name;
    if (!name) throw invalidParam(`${at}.name`, 'A function message needs the function name.');
  } else {
    name = m.tool_call_id === undefined ? undefined : callNames.get(m.tool_call_id);
    if (!name) {
      throw invalidParam(
        `${at}.tool_call_id`,
        `No earlier assistant message has a tool call with the id '${m.tool_call_id ?? ''}'.`,
      );
    }
  }
  const text = textParts(m.content, at)
    .map((p) => p.text)
    .join('');
  return { functionResponse: { name, response: toolResultObject(text) } };
}
