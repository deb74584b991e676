import { THINKING_BUDGET_BY_EFFORT, toAnthropicThinking } from './map-reasoning-effort.js';

describe('toAnthropicThinking', () => {
  it.each([undefined, null, 'none'] as const)('leaves thinking off for %s', (effort) => {
    expect(toAnthropicThinking(effort, 4096)).toEqual({ max_tokens: 4096 });
  });

  it.each(Object.entries(THINKING_BUDGET_BY_EFFORT))(
    "maps '%s' to a budget of %i, at least 1024 and below max_tokens",
    (effort, budget) => {
      const out = toAnthropicThinking(effort as keyof typeof THINKING_BUDGET_BY_EFFORT, 64_000);
      expect(out).toEqual({
        thinking: { type: 'enabled', budget_tokens: budget },
        max_tokens: 64_000,
      });
      expect(budget).toBeGreaterThanOrEqual(1024);
    },
  );

  it('keeps every budget below the smallest default of a thinking-capable family (32k)', () => {
    expect(Math.max(...Object.values(THINKING_BUDGET_BY_EFFORT))).toBeLessThan(32_000);
  });

  it('raises max_tokens to budget + requested when the request would not exceed the budget', () => {
    expect(toAnthropicThinking('medium', 1000)).toEqual({
      thinking: { type: 'enabled', budget_tokens: 8192 },
      max_tokens: 9192,
    });
    expect(toAnthropicThinking('minimal', 1024).max_tokens).toBe(2048);
    expect(toAnthropicThinking('minimal', 1025).max_tokens).toBe(1025);
  });
});
