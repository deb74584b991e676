import { createHash } from 'node:crypto';
import type { ToolCall } from '../../openai/chat-completion.types.js';
import type { GeminiFunctionCall } from './gemini.types.js';

/**
 * Gemini function calls carry no id, but OpenAI clients answer a call by id. The id is
 * derived from the response id, the candidate and the call's position, so it is unique
 * within a response, distinct across responses, and the same for the streamed and the
 * non-streamed form of one response. The gateway does not need to remember it: the
 * function name is recovered from the assistant message the client sends back.
 */
export function geminiToolCallId(
  responseId: string,
  candidateIndex: number,
  ordinal: number,
): string {
  const digest = createHash('sha256')
    .update(`${responseId}\u0000${candidateIndex}\u0000${ordinal}`)
    .digest('hex');
  return `call_${digest.slice(0, 24)}`;
}

/**
 * A Gemini function call as an OpenAI tool call. The part's `thoughtSignature` rides in
 * `extra_content.google.thought_signature`, where Google's own OpenAI-compatible endpoint
 * puts it, so a client that sends the message back returns it too.
 */
export function toOpenAIToolCall(
  call: GeminiFunctionCall,
  id: string,
  thoughtSignature: string | undefined,
): ToolCall {
  const toolCall: ToolCall = {
    id,
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
  };
  if (thoughtSignature) {
    toolCall.extra_content = { google: { thought_signature: thoughtSignature } };
  }
  return toolCall;
}

/** The thought signature a client sent back on a tool call, if any. */
export function thoughtSignatureOf(toolCall: {
  extra_content?: Record<string, unknown>;
}): string | undefined {
  const google = toolCall.extra_content?.google;
  if (typeof google !== 'object' || google === null) return undefined;
  const signature = (google as Record<string, unknown>).thought_signature;
  return typeof signature === 'string' && signature !== '' ? signature : undefined;
}
