import { Inject, Injectable } from '@nestjs/common';
import type { ProviderAdapter } from './provider-adapter.js';

export const PROVIDER_ADAPTERS = Symbol('PROVIDER_ADAPTERS');

/** All configured provider instances, by name. Resolved per request by the model router. */
@Injectable()
export class ProviderRegistry {
  private readonly byName: Map<string, ProviderAdapter>;

  constructor(@Inject(PROVIDER_ADAPTERS) adapters: ProviderAdapter[]) {
    this.byName = new Map(adapters.map((a) => [a.name, a]));
  }

  get(name: string): ProviderAdapter | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
