import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { TollgateConfig } from './config.js';

export const TOLLGATE_CONFIG = Symbol('TOLLGATE_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: TollgateConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: TOLLGATE_CONFIG, useValue: config }],
      exports: [TOLLGATE_CONFIG],
    };
  }
}
