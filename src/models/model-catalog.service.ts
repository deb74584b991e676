import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Logger } from 'pino';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { LOGGER } from '../logging/logging.module.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';

export interface CatalogEntry {
  provider: string;
  models: ReadonlySet<string>;
  source: 'config' | 'discovered' | 'unknown';
}

const DISCOVERY_TIMEOUT_MS = 5_000;

/**
 * Which models each provider serves: the configured `<P>_MODELS` list, else what the
 * upstream's model endpoint reported at start and on every refresh. A provider whose
 * discovery fails keeps its last list (or none) and stays usable via `provider/model`.
 */
@Injectable()
export class ModelCatalog implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly entries = new Map<string, CatalogEntry>();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(TOLLGATE_CONFIG) private readonly config: TollgateConfig,
    private readonly registry: ProviderRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    for (const p of config.providers) {
      this.entries.set(p.name, {
        provider: p.name,
        models: new Set(p.models ?? []),
        source: p.models ? 'config' : 'unknown',
      });
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    if (this.config.discoveryIntervalMs > 0) {
      this.timer = setInterval(() => void this.refresh(), this.config.discoveryIntervalMs);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Re-reads every provider without a configured list. Never throws. */
  async refresh(): Promise<void> {
    const pending = this.config.providers
      .filter((p) => !p.models)
      .map(async (p) => {
        const adapter = this.registry.get(p.name);
        if (!adapter) return;
        try {
          const listed = await adapter.listModels(AbortSignal.timeout(DISCOVERY_TIMEOUT_MS));
          this.entries.set(p.name, {
            provider: p.name,
            models: new Set(routableIds(adapter, listed)),
            source: 'discovered',
          });
        } catch (err) {
          this.logger.warn(
            { provider: p.name, err: (err as Error).message },
            'model discovery failed; the provider stays usable as provider/model',
          );
        }
      });
    await Promise.all(pending);
  }

  entry(provider: string): CatalogEntry | undefined {
    return this.entries.get(provider);
  }

  /** Providers whose list contains `model`. */
  providersServing(model: string): string[] {
    const out: string[] = [];
    for (const e of this.entries.values()) if (e.models.has(model)) out.push(e.provider);
    return out;
  }

  /** Every known `provider/model` id, sorted. */
  allIds(): string[] {
    const ids: string[] = [];
    for (const e of this.entries.values()) for (const m of e.models) ids.push(`${e.provider}/${m}`);
    return ids.sort();
  }
}

/**
 * Discovered ids as the router would send them; an id the provider cannot be asked for
 * safely (one that would change its URL) is left out rather than listed and refused.
 */
function routableIds(adapter: ProviderAdapter, ids: string[]): string[] {
  const out: string[] = [];
  for (const id of ids) {
    try {
      out.push(adapter.upstreamModel(id));
    } catch {
      // not routable: not listed
    }
  }
  return out;
}
