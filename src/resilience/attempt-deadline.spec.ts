import { jest } from '@jest/globals';
import { AttemptDeadline, mergeTimeouts } from './attempt-deadline.js';

describe('AttemptDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const wireCode = (d: AttemptDeadline): string | null | undefined => d.error?.wireCode;

  it('aborts with first_byte_timeout when no headers came', () => {
    const d = new AttemptDeadline(new AbortController().signal, { firstByteMs: 100 }, 'p', true);
    jest.advanceTimersByTime(99);
    expect(d.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(wireCode(d)).toBe('first_byte_timeout');
  });

  it('moves from first token to idle gaps, each event re-arming the idle timer', () => {
    const d = new AttemptDeadline(
      new AbortController().signal,
      { firstByteMs: 100, firstTokenMs: 500, idleMs: 50 },
      'p',
      true,
    );
    d.headers();
    jest.advanceTimersByTime(400);
    expect(d.signal.aborted).toBe(false);
    d.event();
    for (let i = 0; i < 10; i++) {
      jest.advanceTimersByTime(40);
      d.event();
    }
    expect(d.signal.aborted).toBe(false);
    jest.advanceTimersByTime(50);
    expect(wireCode(d)).toBe('idle_timeout');
  });

  it('bounds the whole attempt with total_ms', () => {
    const d = new AttemptDeadline(
      new AbortController().signal,
      { idleMs: 50, totalMs: 120 },
      'p',
      true,
    );
    d.headers();
    for (let i = 0; i < 3; i++) {
      jest.advanceTimersByTime(40);
      d.event();
    }
    expect(wireCode(d)).toBe('total_timeout');
  });

  it('follows the request signal without calling it a timeout, and stops after dispose', () => {
    const client = new AbortController();
    const d = new AttemptDeadline(client.signal, { firstByteMs: 100 }, 'p', false);
    client.abort();
    expect(d.signal.aborted).toBe(true);
    expect(d.error).toBeUndefined();

    const e = new AttemptDeadline(new AbortController().signal, { firstByteMs: 100 }, 'p', false);
    e.dispose();
    jest.advanceTimersByTime(1_000);
    expect(e.signal.aborted).toBe(false);
  });
});

describe('mergeTimeouts', () => {
  it('lets provider/model refine its provider', () => {
    const m = mergeTimeouts({
      openai: { firstByteMs: 1_000, idleMs: 500 },
      'openai/gpt-4o': { idleMs: 200 },
    });
    expect(m.get('openai/gpt-4o')).toEqual({ firstByteMs: 1_000, idleMs: 200 });
    expect(m.get('openai')).toEqual({ firstByteMs: 1_000, idleMs: 500 });
  });
});
