import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { CLOCK, ID_GENERATOR, systemClock, timeOrderedIds } from '../common/clock/clock.js';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { Readiness } from '../health/readiness.service.js';
import { LOGGER } from '../logging/logging.module.js';
import { DATABASE, openDatabase, type Database } from './database.js';
import { migrateToLatest } from './migrations.js';
import { StorageHealthRepository } from './storage-health.repository.js';

/** Registers the readiness check and closes the database last, at shutdown. */
@Injectable()
export class StorageLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    private readonly health: StorageHealthRepository,
    private readonly readiness: Readiness,
  ) {}

  onModuleInit(): void {
    this.readiness.register('storage', () => this.health.ping());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

/**
 * The database (SQLite by default, PostgreSQL at scale), migrated to the latest schema
 * before anything else starts, plus the clock and id generator records are made with.
 */
@Global()
@Module({})
export class StorageModule {
  static forRoot(): DynamicModule {
    return {
      module: StorageModule,
      providers: [
        {
          provide: DATABASE,
          inject: [TOLLGATE_CONFIG, LOGGER],
          useFactory: async (config: TollgateConfig, logger: Logger): Promise<Database> => {
            const database = await openDatabase(config.databaseUrl, {
              onPoolError: (err) =>
                logger.warn({ err: { message: err.message } }, 'database connection lost'),
            });
            try {
              const applied = await migrateToLatest(database);
              logger.info({ database: database.location, applied }, 'storage ready');
            } catch (err) {
              await database.close();
              throw err;
            }
            return database;
          },
        },
        { provide: CLOCK, useValue: systemClock },
        { provide: ID_GENERATOR, inject: [CLOCK], useFactory: timeOrderedIds },
        StorageHealthRepository,
        StorageLifecycle,
      ],
      exports: [DATABASE, CLOCK, ID_GENERATOR],
    };
  }
}
