import { ErrorCode } from '../../common/errors/gateway-error.js';
import { thinkingStyleFor, toThinkingConfig } from './gemini-thinking.js';

describe('thinkingStyleFor', () => {
  it.each([
    ['gemini-3-pro-preview', 'level'],
    ['gemini-3-flash-preview', 'level'],
    ['gemini-3.1-pro-preview', 'level'],
    ['models/gemini-3-pro-preview', 'level'],
    ['gemini-2.5-flash', 'budget'],
    ['gemini-2.5-pro', 'budget'],
    ['gemini-2.5-flash-lite-preview-09-2025', 'budget'],
    ['gemini-flash-latest', 'budget'],
    ['gemini-exp-1206', 'budget'],
    ['gemini-2.0-flash', 'unsupported'],
    ['gemini-1.5-pro', 'unsupported'],
    ['gemma-3-27b-it', 'unsupported'],
  ])('%s → %s', (model, style) => {
    expect(thinkingStyleFor(model)).toBe(style);
  });
});

describe('toThinkingConfig', () => {
  it('sends nothing when no reasoning was asked for', () => {
    expect(toThinkingConfig('gemini-3-pro-preview', undefined, 'reasoning_effort')).toBeUndefined();
  });

  it.each([
    ['minimal', { includeThoughts: true, thinkingLevel: 'minimal' }],
    ['low', { includeThoughts: true, thinkingLevel: 'low' }],
    ['medium', { includeThoughts: true, thinkingLevel: 'medium' }],
    ['high', { includeThoughts: true, thinkingLevel: 'high' }],
  ] as const)('Gemini 3: %s → thinkingLevel only', (effort, expected) => {
    const config = toThinkingConfig('gemini-3-pro-preview', effort, 'reasoning_effort');
    expect(config).toEqual(expected);
    expect(config).not.toHaveProperty('thinkingBudget');
  });

  it.each([
    ['none', { thinkingBudget: 0 }],
    ['minimal', { includeThoughts: true, thinkingBudget: 512 }],
    ['low', { includeThoughts: true, thinkingBudget: 1024 }],
    ['medium', { includeThoughts: true, thinkingBudget: 8192 }],
    ['high', { includeThoughts: true, thinkingBudget: 24576 }],
  ] as const)('Gemini 2.5: %s → thinkingBudget only', (effort, expected) => {
    const config = toThinkingConfig('gemini-2.5-flash', effort, 'reasoning_effort');
    expect(config).toEqual(expected);
    expect(config).not.toHaveProperty('thinkingLevel');
  });

  it.each([
    ['gemini-3-pro-preview', 'none'],
    ['gemini-3-pro-preview', 'xhigh'],
    ['gemini-2.5-pro', 'xhigh'],
    ['gemini-2.0-flash', 'low'],
  ] as const)(
    'rejects %s with %s instead of substituting, naming the parameter',
    (model, effort) => {
      expect(() => toThinkingConfig(model, effort, 'reasoning.effort')).toThrow(
        expect.objectContaining({ code: ErrorCode.Unsupported, param: 'reasoning.effort' }),
      );
    },
  );
});
