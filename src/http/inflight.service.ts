import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Logger } from 'pino';
import type { RequestContext } from '../common/context/request-context.js';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { LOGGER } from '../logging/logging.module.js';
import { GatewayExpressAdapter } from './express-platform.js';

/** After the drain deadline, cut streams get this long to write their error event. */
const CUT_GRACE_MS = 1_000;

/**
 * The requests this process is serving, and the graceful drain at shutdown: from its
 * start new requests are refused (503, `connection: close`) and `/ready` answers 503;
 * open requests and streams get `TOLLGATE_DRAIN_TIMEOUT_MS` to finish, then what is
 * still open is cut (a stream gets an error event) so its usage row is written before
 * storage closes.
 */
@Injectable()
export class InflightRequests implements OnModuleInit {
  private readonly open = new Set<RequestContext>();
  private idle?: () => void;
  draining = false;

  constructor(
    @Inject(TOLLGATE_CONFIG) private readonly config: TollgateConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** The drain runs when shutdown begins, before the server stops listening. */
  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter instanceof GatewayExpressAdapter) adapter.onBeforeClose(() => this.drain());
  }

  get size(): number {
    return this.open.size;
  }

  /** Proxied API requests open now (see `admitProxied`). */
  proxied = 0;

  /**
   * Load shedding: takes a slot for a proxied API request, or refuses (false) when
   * `TOLLGATE_MAX_INFLIGHT` are already open. The caller frees it with `releaseProxied`.
   */
  admitProxied(): boolean {
    const max = this.config.maxInflight;
    if (max > 0 && this.proxied >= max) return false;
    this.proxied++;
    return true;
  }

  releaseProxied(): void {
    this.proxied--;
  }

  add(ctx: RequestContext): void {
    this.open.add(ctx);
  }

  delete(ctx: RequestContext): void {
    this.open.delete(ctx);
    if (this.open.size === 0) this.idle?.();
  }

  async drain(): Promise<void> {
    this.draining = true;
    if (this.open.size === 0) return;
    const deadlineMs = this.config.drainTimeoutMs;
    this.logger.info({ open: this.open.size, deadline_ms: deadlineMs }, 'draining open requests');
    if (await this.idleWithin(deadlineMs)) return;
    this.logger.warn({ open: this.open.size }, 'drain deadline passed: cutting open requests');
    for (const ctx of this.open) ctx.shutdown();
    await this.idleWithin(CUT_GRACE_MS);
  }

  private idleWithin(ms: number): Promise<boolean> {
    if (this.open.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idle = undefined;
        resolve(false);
      }, ms);
      this.idle = () => {
        clearTimeout(timer);
        this.idle = undefined;
        resolve(true);
      };
    });
  }
}
