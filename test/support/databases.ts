import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrations.js';
import { createTestSchema, describeWith, type TestSchema } from './external-services.js';

/**
 * Runs the same storage tests on a fresh, migrated SQLite file and, when
 * TEST_DATABASE_URL is set, on a fresh schema of the real PostgreSQL (see describeWith).
 */
export function describeEachDatabase(
  title: string,
  body: (database: () => Database, dialect: Database['dialect']) => void,
): void {
  describe(`${title} [SQLite]`, () => {
    let database: Database | undefined;
    let dir = '';
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tollgate-db-'));
      database = await openDatabase(`sqlite:${join(dir, 'test.db')}`);
      await migrateToLatest(database);
    });
    afterAll(async () => {
      await database?.close();
      rmSync(dir, { recursive: true, force: true });
    });
    body(() => database!, 'sqlite');
  });

  describeWith('postgres', `${title} [PostgreSQL]`, (url) => {
    let database: Database | undefined;
    let schema: TestSchema | undefined;
    beforeAll(async () => {
      schema = await createTestSchema(url);
      database = await openDatabase(schema.url);
      await migrateToLatest(database);
    });
    afterAll(async () => {
      await database?.close();
      await schema?.drop();
    });
    body(() => database!, 'postgres');
  });
}
