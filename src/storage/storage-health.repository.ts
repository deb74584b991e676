import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DATABASE, type Database } from './database.js';

/** Answers whether the database takes queries, for `/ready`. */
@Injectable()
export class StorageHealthRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async ping(timeoutMs = 2_000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([
        sql`select 1`.execute(this.database.db).then(() => true),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
