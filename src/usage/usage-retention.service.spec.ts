import pino from 'pino';
import type { TollgateConfig } from '../config/config.js';
import { RETENTION_BATCH, UsageRetention } from './usage-retention.service.js';
import type { UsageRepository } from './usage.repository.js';

const DAY = 86_400_000;

describe('UsageRetention', () => {
  const clock = { now: () => Date.parse('2026-11-26T00:00:00Z') };
  const make = (retentionDays: number, rows: number) => {
    const calls: Array<[number, number]> = [];
    let left = rows;
    const repo = {
      deleteOlderThan: async (cutoff: number, batch: number) => {
        calls.push([cutoff, batch]);
        const n = Math.min(batch, left);
        left -= n;
        return n;
      },
    } as unknown as UsageRepository;
    const retention = new UsageRetention(
      repo,
      { usage: { retentionDays } } as TollgateConfig,
      clock,
      pino({ level: 'silent' }),
    );
    return { retention, calls };
  };

  it('keeps everything by default (retention 0): no deletes at all', async () => {
    const { retention, calls } = make(0, 5_000);
    expect(await retention.sweep(0)).toBe(0);
    expect(calls).toEqual([]);
  });

  it('deletes rows older than the cutoff in batches until none are left', async () => {
    const { retention, calls } = make(30, 2 * RETENTION_BATCH + 7);
    expect(await retention.sweep(0)).toBe(2 * RETENTION_BATCH + 7);
    expect(calls).toEqual([
      [clock.now() - 30 * DAY, RETENTION_BATCH],
      [clock.now() - 30 * DAY, RETENTION_BATCH],
      [clock.now() - 30 * DAY, RETENTION_BATCH],
    ]);
  });
});
