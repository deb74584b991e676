import { defaultMaxTokens, FALLBACK_MAX_TOKENS } from './default-max-tokens.js';

describe('defaultMaxTokens', () => {
  it.each([
    ['claude-opus-4-6', 128_000],
    ['claude-opus-4-5-20251101', 64_000],
    ['claude-opus-4-1-20250805', 32_000],
    ['claude-opus-4-20250514', 32_000],
    ['claude-opus-4-7', 32_000],
    ['claude-sonnet-4-5-20250929', 64_000],
    ['claude-sonnet-4-20250514', 64_000],
    ['claude-haiku-4-5', 64_000],
    ['claude-3-7-sonnet-20250219', 64_000],
    ['claude-3-5-sonnet-20241022', 8_192],
    ['claude-3-5-haiku-latest', 8_192],
    ['claude-3-haiku-20240307', 4_096],
    ['some-other-model', FALLBACK_MAX_TOKENS],
  ])('%s → %i', (model, tokens) => {
    expect(defaultMaxTokens(model, undefined)).toBe(tokens);
  });

  it('prefers the operator default for the exact model', () => {
    expect(defaultMaxTokens('claude-sonnet-4-5', { 'claude-sonnet-4-5': 1500 })).toBe(1500);
    expect(defaultMaxTokens('claude-sonnet-4-5-20250929', { 'claude-sonnet-4-5': 1500 })).toBe(
      64_000,
    );
  });
});

describe('defaultMaxTokens with a hostile model name', () => {
  it('does not take an Object.prototype member for a configured default', () => {
    expect(defaultMaxTokens('__proto__', { 'claude-sonnet-4-5': 8192 })).toBe(FALLBACK_MAX_TOKENS);
    expect(defaultMaxTokens('constructor', {})).toBe(FALLBACK_MAX_TOKENS);
  });
});
