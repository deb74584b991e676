import fc from 'fast-check';
import { anyText, usageRecord } from '../../test/support/usage.js';
import { sanitizeUsageRecord, storableText, USAGE_TEXT_LIMITS } from './sanitize-usage-record.js';
import type { UsageRecord } from './usage-record.js';

/** Exact through UTF-8 only when well-formed (a lone surrogate comes back as U+FFFD). */
const wellFormed = (s: string): boolean => Buffer.from(s, 'utf8').toString('utf8') === s;

const TEXT_FIELDS = Object.keys(USAGE_TEXT_LIMITS) as Array<keyof typeof USAGE_TEXT_LIMITS>;

const anyRecord = (): fc.Arbitrary<UsageRecord> =>
  fc
    .record({
      texts: fc.record(
        Object.fromEntries(TEXT_FIELDS.map((k) => [k, anyText()])) as Record<
          (typeof TEXT_FIELDS)[number],
          fc.Arbitrary<string>
        >,
      ),
      tokens: fc.oneof(fc.integer({ min: 0, max: 1_000 }), fc.double(), fc.constant(1e20)),
      cost: fc.option(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n })),
      latency: fc.double(),
    })
    .map(({ texts, tokens, cost, latency }) =>
      usageRecord({
        ...texts,
        promptTokens: tokens,
        totalTokens: tokens,
        costNanos: cost,
        latencyMs: latency,
        ttftMs: latency,
      }),
    );

describe('sanitizeUsageRecord', () => {
  it('every text field comes out well-formed, NUL-free and within its limit', () => {
    fc.assert(
      fc.property(anyRecord(), (r) => {
        const s = sanitizeUsageRecord(r);
        for (const k of TEXT_FIELDS) {
          const v = s[k];
          expect(typeof v).toBe('string');
          expect(wellFormed(v as string)).toBe(true);
          expect(v).not.toContain('\u0000');
          expect((v as string).length).toBeLessThanOrEqual(USAGE_TEXT_LIMITS[k]);
        }
      }),
    );
  });

  it('numbers fit their columns: int4 counts, int8 cost, finite latencies', () => {
    fc.assert(
      fc.property(anyRecord(), (r) => {
        const s = sanitizeUsageRecord(r);
        for (const n of [s.promptTokens, s.totalTokens, s.statusCode]) {
          expect(Number.isInteger(n) && n >= 0 && n <= 2 ** 31 - 1).toBe(true);
        }
        expect(Number.isFinite(s.latencyMs)).toBe(true);
        expect(s.ttftMs === null || Number.isFinite(s.ttftMs)).toBe(true);
        if (s.costNanos !== null) {
          expect(s.costNanos >= 0n && s.costNanos <= 2n ** 63n - 1n).toBe(true);
        }
        expect(s.costNanos === null).toBe(r.costNanos === null);
      }),
    );
  });

  it('is idempotent, and the identity on a row that is already storable', () => {
    fc.assert(
      fc.property(anyRecord(), (r) => {
        const once = sanitizeUsageRecord(r);
        expect(sanitizeUsageRecord(once)).toEqual(once);
      }),
    );
    const clean = usageRecord({ user: 'ü-😀-user', model: 'gpt-4o', ttftMs: 3.25 });
    expect(sanitizeUsageRecord(clean)).toEqual(clean);
  });

  it('replaces NUL and lone surrogates with U+FFFD rather than dropping them', () => {
    expect(storableText('x\u0000', 256)).toBe('x\uFFFD');
    expect(storableText('a\uD800b\uDC00', 256)).toBe('a\uFFFDb\uFFFD');
    expect(storableText('\uD83D\uDE00', 256)).toBe('\uD83D\uDE00');
    // Storable text is left alone: only the unstorable code units change.
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        const out = storableText(s, 1_000);
        expect(out.length).toBe(s.length);
        for (let i = 0; i < s.length; i++) {
          if (out[i] !== s[i]) expect(out[i]).toBe('\uFFFD');
        }
      }),
    );
  });

  it('cuts long text at its limit without splitting a surrogate pair', () => {
    expect(storableText('a'.repeat(300), 256)).toHaveLength(256);
    // The pair would straddle the limit: it goes whole.
    expect(storableText(`${'a'.repeat(255)}\uD83D\uDE00`, 256)).toBe('a'.repeat(255));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.nat(40), (s, max) => {
        const out = storableText(s, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(storableText(s, 1_000).startsWith(out)).toBe(true);
        expect(wellFormed(out)).toBe(true);
      }),
    );
  });

  it('keeps a trace id only when it is 32 lowercase hex digits, not all zero', () => {
    const id = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(sanitizeUsageRecord(usageRecord({ traceId: id })).traceId).toBe(id);
    for (const bad of [
      id.toUpperCase(),
      `${id}0`,
      id.slice(1),
      '0'.repeat(32),
      `${id.slice(0, 31)}\u0000`,
      'x'.repeat(10_000),
    ]) {
      expect(sanitizeUsageRecord(usageRecord({ traceId: bad })).traceId).toBeNull();
    }
    // A row spooled before the column existed.
    const { traceId: _none, ...old } = usageRecord();
    expect(sanitizeUsageRecord(old as UsageRecord).traceId).toBeNull();
  });
});
