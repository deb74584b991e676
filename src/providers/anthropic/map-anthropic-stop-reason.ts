import type { FinishReason } from '../../openai/chat-completion.types.js';

/**
 * Anthropic `stop_reason` → OpenAI `finish_reason`. `pause_turn` (a server tool paused a
 * long turn) ends this response normally; a reason Anthropic adds later reads as `stop`.
 */
export function mapAnthropicStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
    case null:
    case undefined:
    default:
      return 'stop';
  }
}
