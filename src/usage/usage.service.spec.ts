import { usageRecord } from '../../test/support/usage.js';
import type { TollgateConfig } from '../config/config.js';
import type { UsageRecorder } from './usage-recorder.service.js';
import type { UsageRecord } from './usage-record.js';
import type { LogCursor, UsageFilter, UsageRepository } from './usage.repository.js';
import { CSV_MAX_ROWS, UsageService } from './usage.service.js';

/** A log of `size` rows, newest first, read the way the repository reads it. */
class FakeLog {
  reads = 0;
  constructor(private readonly size: number) {}
  private row(i: number): UsageRecord {
    // Newest first: row i is older than row i - 1.
    return usageRecord({
      id: `usage_${String(this.size - i).padStart(8, '0')}`,
      createdAt: 1e12 - i,
    });
  }
  async list(_f: UsageFilter, limit: number, offset: number) {
    this.reads++;
    const end = Math.min(this.size, offset + limit);
    const records = Array.from({ length: Math.max(0, end - offset) }, (_, k) =>
      this.row(offset + k),
    );
    return { records, total: this.size };
  }
  async listAfter(_f: UsageFilter, cursor: LogCursor, limit: number) {
    this.reads++;
    const start = 1e12 - cursor.createdAt + 1;
    return Array.from({ length: Math.max(0, Math.min(limit, this.size - start)) }, (_, k) =>
      this.row(start + k),
    );
  }
}

const service = (log: FakeLog) =>
  new UsageService(
    log as unknown as UsageRepository,
    { flush: async () => {} } as unknown as UsageRecorder,
    { providers: [] } as unknown as TollgateConfig,
  );

async function lines(it: AsyncIterable<string> | Iterable<string>): Promise<string[]> {
  let text = '';
  for await (const chunk of it) text += chunk;
  return text.split('\r\n').slice(0, -1);
}

describe('UsageService.csv', () => {
  it('without limit: every entry from offset on, a page per read', async () => {
    const log = new FakeLog(2_345);
    const { total, lines: out } = await service(log).csv({ offset: 10 });
    expect(total).toBe(2_345);
    const rows = await lines(out);
    expect(rows).toHaveLength(1 + 2_335);
    expect(rows[1].startsWith('usage_00002335,')).toBe(true);
    expect(rows.at(-1)!.startsWith('usage_00000001,')).toBe(true);
    expect(log.reads).toBe(3);
  });

  it(`stops at ${CSV_MAX_ROWS} entries and reads no further`, async () => {
    const log = new FakeLog(CSV_MAX_ROWS + 2_500);
    const { total, lines: out } = await service(log).csv({});
    expect(total).toBe(CSV_MAX_ROWS + 2_500);
    expect(await lines(out)).toHaveLength(1 + CSV_MAX_ROWS);
    expect(log.reads).toBe(CSV_MAX_ROWS / 1_000);
  });

  it('with limit: that page only', async () => {
    const log = new FakeLog(50);
    const rows = await lines((await service(log).csv({ limit: 5, offset: 45 })).lines);
    expect(rows).toHaveLength(1 + 5);
    expect(log.reads).toBe(1);
  });

  it('reads nothing more once the client is gone', async () => {
    const log = new FakeLog(10_000);
    const { lines: out } = await service(log).csv({});
    for await (const _chunk of out) break; // the header, then the reader stops
    expect(log.reads).toBe(1);
  });
});
