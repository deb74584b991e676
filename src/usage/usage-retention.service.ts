import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { CLOCK, type Clock } from '../common/clock/clock.js';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { LOGGER } from '../logging/logging.module.js';
import { UsageRepository } from './usage.repository.js';

const DAY_MS = 86_400_000;
/** Rows per DELETE: short transactions, so writers and readers are never held up long. */
export const RETENTION_BATCH = 1_000;
const SWEEP_EVERY_MS = 60 * 60 * 1000;
const FIRST_SWEEP_AFTER_MS = 60 * 1000;

/**
 * Deletes usage rows older than `usage.retention_days` (or
 * TOLLGATE_USAGE_RETENTION_DAYS) hourly, in small batches with a pause between them.
 * 0, the default, keeps every row forever.
 */
@Injectable()
export class UsageRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly retentionDays: number;

  constructor(
    private readonly repository: UsageRepository,
    @Inject(TOLLGATE_CONFIG) config: TollgateConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.retentionDays = config.usage.retentionDays;
  }

  onApplicationBootstrap(): void {
    if (this.retentionDays === 0) return;
    const schedule = (delay: number): void => {
      this.timer = setTimeout(() => {
        void this.sweep().finally(() => {
          if (!this.stopped) schedule(SWEEP_EVERY_MS);
        });
      }, delay);
      this.timer.unref();
    };
    schedule(FIRST_SWEEP_AFTER_MS);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One pass: deletes every expired row, a batch at a time. Returns rows deleted. */
  async sweep(pauseMs = 50): Promise<number> {
    if (this.retentionDays === 0) return 0;
    const cutoff = this.clock.now() - this.retentionDays * DAY_MS;
    let total = 0;
    try {
      for (;;) {
        const n = await this.repository.deleteOlderThan(cutoff, RETENTION_BATCH);
        total += n;
        if (n < RETENTION_BATCH || this.stopped) break;
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'usage retention: sweep failed');
    }
    if (total > 0) {
      this.logger.info(
        { rows: total, retention_days: this.retentionDays },
        'usage retention: deleted old rows',
      );
    }
    return total;
  }
}
