import { fallbacksFor } from './fallback-planner.js';

describe('fallbacksFor', () => {
  const fallbacks = {
    smart: ['anthropic/claude-sonnet-4-5'],
    'openai/gpt-4o': ['gemini/gemini-2.5-pro'],
  };

  it('looks up the model as requested first', () => {
    expect(fallbacksFor(fallbacks, 'smart', () => 'openai/gpt-4o')).toEqual([
      'anthropic/claude-sonnet-4-5',
    ]);
  });

  it('then the provider/model it resolved to', () => {
    expect(fallbacksFor(fallbacks, 'gpt-4o', () => 'openai/gpt-4o')).toEqual([
      'gemini/gemini-2.5-pro',
    ]);
  });

  it('has none otherwise, and no inherited keys', () => {
    expect(fallbacksFor(fallbacks, 'constructor', () => '__proto__')).toEqual([]);
  });
});
