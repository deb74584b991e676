import { Module } from '@nestjs/common';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { UpstreamHttp } from '../common/http/upstream-http.service.js';
import { createAdapter } from './adapter-factory.js';
import { PROVIDER_ADAPTERS, ProviderRegistry } from './provider-registry.service.js';

@Module({
  providers: [
    UpstreamHttp,
    {
      provide: PROVIDER_ADAPTERS,
      inject: [TOLLGATE_CONFIG, UpstreamHttp],
      useFactory: (config: TollgateConfig, http: UpstreamHttp) =>
        config.providers.map((p) => createAdapter(p, http)),
    },
    ProviderRegistry,
  ],
  exports: [ProviderRegistry, UpstreamHttp],
})
export class ProvidersModule {}
