import { Global, Module, type DynamicModule } from '@nestjs/common';
import { REDIS_URL, RedisService } from './redis.service.js';

/**
 * Imported only when REDIS_URL is set: without it there is no Redis connection at all
 * and consumers (`@Optional() RedisService`) keep their state in-process.
 */
@Global()
@Module({})
export class RedisModule {
  static forRoot(url: string): DynamicModule {
    return {
      module: RedisModule,
      providers: [{ provide: REDIS_URL, useValue: url }, RedisService],
      exports: [RedisService],
    };
  }
}
