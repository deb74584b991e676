import type { FinishReason } from '../../openai/chat-completion.types.js';

/**
 * `Candidate.finishReason` → OpenAI `finish_reason`. Gemini ends a function-calling turn
 * with STOP, so the caller says whether the candidate carried a function call.
 *
 * Reasons without an OpenAI counterpart (OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL,
 * UNEXPECTED_TOOL_CALL, TOO_MANY_TOOL_CALLS, NO_IMAGE, unknown future values) are
 * treated like STOP: generation did end, OpenAI has no "error" reason to put there, and
 * calls that did arrive must still be announced as `tool_calls`.
 */
export function mapGeminiFinishReason(
  reason: string | undefined,
  hasFunctionCall: boolean,
): FinishReason | null {
  if (reason === undefined || reason === '') return null;
  switch (reason) {
    case 'STOP':
      return hasFunctionCall ? 'tool_calls' : 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
    case 'IMAGE_PROHIBITED_CONTENT':
    case 'IMAGE_RECITATION':
      return 'content_filter';
    default:
      return hasFunctionCall ? 'tool_calls' : 'stop';
  }
}
