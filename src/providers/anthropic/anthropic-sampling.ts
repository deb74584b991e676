import type { ChatCompletionRequest } from '../../openai/chat-completion.types.js';
import { invalidParam, unsupportedParam } from '../shared/request-errors.js';

export interface AnthropicSampling {
  temperature?: number;
  top_p?: number;
}

/**
 * `temperature` and `top_p`, checked against what Anthropic accepts rather than bent to
 * fit: Anthropic's temperature scale is 0-1 (OpenAI's is 0-2) and a value above 1 is a
 * 400, never clamped or rescaled. With extended thinking on, Anthropic allows neither a
 * temperature other than 1 nor a top_p below 0.95.
 */
export function toAnthropicSampling(
  body: Pick<ChatCompletionRequest, 'temperature' | 'top_p'>,
  thinking: boolean,
): AnthropicSampling {
  const out: AnthropicSampling = {};
  const { temperature, top_p: topP } = body;
  if (temperature !== null && temperature !== undefined) {
    if (temperature < 0 || temperature > 1) {
      throw invalidParam(
        'temperature',
        `Invalid value for 'temperature': this model accepts 0 to 1, got ${temperature}.`,
      );
    }
    if (thinking && temperature !== 1) {
      throw unsupportedParam(
        'temperature',
        "'temperature' cannot be changed while reasoning is on: leave it out or set it to 1.",
      );
    }
    out.temperature = temperature;
  }
  if (topP !== null && topP !== undefined) {
    if (topP < 0 || topP > 1) {
      throw invalidParam(
        'top_p',
        `Invalid value for 'top_p': this model accepts 0 to 1, got ${topP}.`,
      );
    }
    if (thinking && topP < 0.95) {
      throw unsupportedParam('top_p', "'top_p' must be between 0.95 and 1 while reasoning is on.");
    }
    out.top_p = topP;
  }
  return out;
}
