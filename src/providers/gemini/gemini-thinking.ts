import type { ReasoningEffort } from '../../openai/chat-completion.types.js';
import { unsupportedParam } from '../shared/request-errors.js';
import type { GeminiThinkingConfig, GeminiThinkingLevel } from './gemini.types.js';

/** How a model takes its thinking control. */
export type GeminiThinkingStyle = 'level' | 'budget' | 'unsupported';

/**
 * Gemini 3.x takes `thinkingLevel`, 2.5 takes `thinkingBudget`; 1.x, 2.0 and Gemma do not
 * think. Names the gateway cannot place (`gemini-flash-latest`, experimental ids) get a
 * budget, which both thinking generations accept.
 */
export function thinkingStyleFor(model: string): GeminiThinkingStyle {
  const id = model.replace(/^models\//, '');
  if (/^gemma-/.test(id)) return 'unsupported';
  const m = /^gemini-(\d+)(?:\.(\d+))?-/.exec(id);
  if (!m) return 'budget';
  const major = Number(m[1]);
  const minor = Number(m[2] ?? 0);
  if (major >= 3) return 'level';
  if (major === 2 && minor >= 5) return 'budget';
  return 'unsupported';
}

/**
 * Gemini 2.5 budgets per effort. low/medium/high follow the table of Google's own
 * OpenAI-compatible endpoint; minimal is 512, the smallest budget every 2.5 model accepts
 * (Flash-Lite's floor); none is 0, which turns thinking off where the model allows it
 * (2.5 Pro answers that with its own 400).
 */
const BUDGETS: Partial<Record<ReasoningEffort, number>> = {
  none: 0,
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
};

/** Gemini 3 levels: the effort names carry over one to one. */
const LEVELS: Partial<Record<ReasoningEffort, GeminiThinkingLevel>> = {
  minimal: 'minimal',
  low: 'low',
  medium: 'medium',
  high: 'high',
};

/**
 * Reasoning effort → `thinkingConfig`, never with both `thinkingLevel` and
 * `thinkingBudget`. Thoughts are requested (`includeThoughts`) whenever reasoning is, so
 * they come back as `reasoning_content`. Efforts with no faithful counterpart are a 400
 * naming `param` rather than a quiet substitute:
 * - `xhigh`: above the highest level/budget every model of the family accepts;
 * - `none` on Gemini 3: thinking cannot be turned off there;
 * - any effort on a model that does not think.
 * Whether one model takes a given level (Gemini 3 Pro has no `minimal`) is left to
 * Google, whose 400 names the value.
 */
export function toThinkingConfig(
  model: string,
  effort: ReasoningEffort | undefined,
  param: string,
): GeminiThinkingConfig | undefined {
  if (effort === undefined) return undefined;
  const style = thinkingStyleFor(model);
  if (style === 'unsupported') {
    throw unsupportedParam(param, `The model '${model}' does not support reasoning effort.`);
  }
  if (style === 'level') {
    const level = LEVELS[effort];
    if (level === undefined) {
      throw unsupportedParam(
        param,
        `Reasoning effort '${effort}' is not available on '${model}'; use minimal, low, medium or high.`,
      );
    }
    return { includeThoughts: true, thinkingLevel: level };
  }
  const budget = BUDGETS[effort];
  if (budget === undefined) {
    throw unsupportedParam(
      param,
      `Reasoning effort '${effort}' is not available on '${model}'; use none, minimal, low, medium or high.`,
    );
  }
  return budget === 0 ? { thinkingBudget: 0 } : { includeThoughts: true, thinkingBudget: budget };
}
