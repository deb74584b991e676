import { sql } from 'kysely';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema, describeWith } from '../../test/support/external-services.js';
import { TcpProxy } from '../../test/support/tcp-proxy.js';
import { openDatabase } from './database.js';
import { MIGRATIONS, migrateToLatest } from './migrations.js';

describe('openDatabase (SQLite)', () => {
  it('creates the file and its directory on first start, then migrates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-open-'));
    const file = join(dir, 'nested', 'data', 'tollgate.db');
    const database = await openDatabase(`sqlite:${file}`);
    try {
      expect(existsSync(file)).toBe(true);
      expect(database.dialect).toBe('sqlite');
      expect(await migrateToLatest(database.db)).toEqual(Object.keys(MIGRATIONS).sort());
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(database.db);
      expect(mode.rows[0].journal_mode).toBe('wal');
    } finally {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens an in-memory database and refuses other URLs', async () => {
    const database = await openDatabase('sqlite::memory:');
    expect(database.location).toBe('sqlite::memory:');
    await database.close();
    await expect(openDatabase('mysql://x')).rejects.toThrow(/sqlite: or postgres:\/\//);
  });
});

describeWith('postgres', 'openDatabase (PostgreSQL)', (url) => {
  it('migrates a fresh schema although another schema of the database holds Kysely tables', async () => {
    // Regression: Kysely looked for its lock table in every schema, found another's (a
    // parallel test's, another application's), skipped creating its own and failed.
    const other = await createTestSchema(url);
    const fresh = await createTestSchema(url);
    const first = await openDatabase(other.url);
    const second = await openDatabase(fresh.url);
    try {
      await migrateToLatest(first.db);
      expect(await migrateToLatest(second.db)).toEqual(Object.keys(MIGRATIONS).sort());
      const tables = await sql<{ table_schema: string }>`
        select table_schema from information_schema.tables
        where table_name = 'kysely_migration_lock' and table_schema in (${other.schema}, ${fresh.schema})`.execute(
        second.db,
      );
      expect(tables.rows.map((r) => r.table_schema).sort()).toEqual(
        [other.schema, fresh.schema].sort(),
      );
    } finally {
      await Promise.all([first.close(), second.close()]);
      await Promise.all([other.drop(), fresh.drop()]);
    }
  });

  it('survives a connection dying under a running query: the query fails, the process does not', async () => {
    // Regression: a checked-out client's 'error' event had no listener and crashed the process.
    const schema = await createTestSchema(url);
    const target = new URL(url);
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(schema.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const errors: Error[] = [];
    const database = await openDatabase(viaProxy.toString(), {
      onPoolError: (e) => errors.push(e),
    });
    try {
      expect(database.location).toBe(`postgres://127.0.0.1:${proxy.port}${target.pathname}`);
      const running = sql`select pg_sleep(2)`.execute(database.db);
      await new Promise((resolve) => setTimeout(resolve, 200));
      proxy.cut();
      await expect(running).rejects.toHaveProperty('message');
      expect(errors.length).toBeGreaterThan(0);
      await expect(sql`select 1`.execute(database.db)).rejects.toHaveProperty('message');
      proxy.restore();
      expect((await sql<{ one: number }>`select 1 as one`.execute(database.db)).rows).toEqual([
        { one: 1 },
      ]);
    } finally {
      await database.close();
      await proxy.stop();
      await schema.drop();
    }
  });

  it('migrates a schema while another schema of the server already has its migration tables', async () => {
    // Regression: the migrator looked for its tables in every schema, found another
    // deployment's (or a parallel test's) and never created its own.
    const first = await createTestSchema(url);
    const second = await createTestSchema(url);
    const a = await openDatabase(first.url);
    const b = await openDatabase(second.url);
    try {
      expect(await migrateToLatest(a.db)).toEqual(Object.keys(MIGRATIONS).sort());
      expect(await migrateToLatest(b.db)).toEqual(Object.keys(MIGRATIONS).sort());
      expect(await migrateToLatest(b.db)).toEqual([]);
      const tables = await sql<{ schema: string }>`
        select table_schema as schema from information_schema.tables
        where table_name = 'kysely_migration' and table_schema in (${first.schema}, ${second.schema})
        order by table_schema`.execute(a.db);
      expect(tables.rows.map((r) => r.schema)).toEqual([first.schema, second.schema].sort());
    } finally {
      await a.close();
      await b.close();
      await first.drop();
      await second.drop();
    }
  });
});
