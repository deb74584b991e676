import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { UsageRecord } from '../../src/usage/usage-record.js';

/** A plausible usage row; override what the test is about. */
export function usageRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    id: `usage_${randomUUID().replaceAll('-', '')}`,
    requestId: `req_${randomUUID().replaceAll('-', '')}`,
    createdAt: Date.parse('2026-11-01T12:00:00Z'),
    keyId: null,
    teamId: null,
    requestedModel: 'gpt-4o-mini',
    provider: 'openai',
    model: 'gpt-4o-mini',
    stream: false,
    statusCode: 200,
    promptTokens: 24,
    completionTokens: 8,
    totalTokens: 32,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costNanos: 8_400n,
    costReason: null,
    latencyMs: 12.5,
    ttftMs: null,
    errorType: null,
    errorCode: null,
    partial: false,
    usageEstimated: false,
    user: null,
    attempts: 1,
    traceId: null,
    ...overrides,
  };
}

/** Any string: full Unicode, NUL, lone surrogates (binary units), sometimes very long. */
export const anyText = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.constantFrom('\u0000', 'x\u0000', '\uD800', '\uDFFF\uD800', 'a\uD83D', '\uD83D\uDE00'),
    fc
      .tuple(fc.string({ unit: 'binary', maxLength: 3 }), fc.integer({ min: 200, max: 20_000 }))
      .map(([s, n]) => (s || 'ü').repeat(n)),
  );
