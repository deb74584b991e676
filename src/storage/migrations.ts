import {
  Migrator,
  PostgresAdapter,
  sql,
  type Kysely,
  type Migration,
  type MigrationProvider,
} from 'kysely';
import type { StorageSchema } from './schema.js';

/**
 * Every schema change, in code, applied in name order by Kysely's Migrator at start on
 * both dialects. Only portable DDL here (see schema.ts); never edit a migration that has
 * shipped: add the next one.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_keys_and_usage': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('key_prefix', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addColumn('models', 'text')
        .addColumn('rpm', 'integer')
        .addColumn('tpm', 'integer')
        .addColumn('budget_nanos', 'bigint')
        .addColumn('budget_period', 'text')
        .addColumn('metadata', 'text')
        .execute();

      await db.schema
        .createTable('usage_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('key_id', 'text')
        .addColumn('requested_model', 'text')
        .addColumn('provider', 'text')
        .addColumn('model', 'text')
        .addColumn('stream', 'integer', (c) => c.notNull())
        .addColumn('status_code', 'integer', (c) => c.notNull())
        .addColumn('prompt_tokens', 'integer', (c) => c.notNull())
        .addColumn('completion_tokens', 'integer', (c) => c.notNull())
        .addColumn('total_tokens', 'integer', (c) => c.notNull())
        .addColumn('cached_tokens', 'integer', (c) => c.notNull())
        .addColumn('cache_write_tokens', 'integer', (c) => c.notNull())
        .addColumn('reasoning_tokens', 'integer', (c) => c.notNull())
        .addColumn('cost_nanos', 'bigint')
        .addColumn('cost_reason', 'text')
        .addColumn('latency_ms', 'double precision', (c) => c.notNull())
        .addColumn('ttft_ms', 'double precision')
        .addColumn('error_type', 'text')
        .addColumn('error_code', 'text')
        .addColumn('partial', 'integer', (c) => c.notNull())
        .addColumn('usage_estimated', 'integer', (c) => c.notNull())
        .addColumn('end_user', 'text')
        .execute();

      // Newest-first listing, filtered by nothing, a key, a provider or a model; `id`
      // breaks ties so offset pagination is stable and the ORDER BY is the index order.
      const indexes: Array<[string, string[]]> = [
        ['usage_log_created_idx', ['created_at', 'id']],
        ['usage_log_key_created_idx', ['key_id', 'created_at', 'id']],
        ['usage_log_provider_created_idx', ['provider', 'created_at', 'id']],
        ['usage_log_model_created_idx', ['model', 'created_at', 'id']],
      ];
      for (const [name, columns] of indexes) {
        await db.schema.createIndex(name).on('usage_log').columns(columns).execute();
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('usage_log').execute();
      await db.schema.dropTable('api_keys').execute();
    },
  },
  '0002_usage_attempts': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Rows from before retries existed made exactly one try when they reached an upstream.
      await db.schema
        .alterTable('usage_log')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('usage_log').dropColumn('attempts').execute();
    },
  },
  '0003_teams_and_limits': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('teams')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('models', 'text')
        .addColumn('rpm', 'integer')
        .addColumn('tpm', 'integer')
        .addColumn('max_parallel', 'integer')
        .addColumn('budget_nanos', 'bigint')
        .addColumn('budget_period', 'text')
        .addColumn('metadata', 'text')
        .execute();
      await db.schema.alterTable('api_keys').addColumn('team_id', 'text').execute();
      await db.schema.alterTable('api_keys').addColumn('max_parallel', 'integer').execute();
      await db.schema.alterTable('usage_log').addColumn('team_id', 'text').execute();
      // "Keys of this team" (delete refusal) and a team's log pages and period spend.
      await db.schema.createIndex('api_keys_team_idx').on('api_keys').column('team_id').execute();
      await db.schema
        .createIndex('usage_log_team_created_idx')
        .on('usage_log')
        .columns(['team_id', 'created_at', 'id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('usage_log_team_created_idx').execute();
      await db.schema.dropIndex('api_keys_team_idx').execute();
      await db.schema.alterTable('usage_log').dropColumn('team_id').execute();
      await db.schema.alterTable('api_keys').dropColumn('max_parallel').execute();
      await db.schema.alterTable('api_keys').dropColumn('team_id').execute();
      await db.schema.dropTable('teams').execute();
    },
  },
  '0004_key_rotation': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The secret a rotation replaced, accepted until `previous_expires_at` (the grace
      // period): every replica reads the deadline from here, none keeps a timer.
      await db.schema.alterTable('api_keys').addColumn('previous_key_hash', 'text').execute();
      await db.schema.alterTable('api_keys').addColumn('previous_expires_at', 'bigint').execute();
      await db.schema
        .createIndex('api_keys_previous_hash_idx')
        .on('api_keys')
        .column('previous_key_hash')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('api_keys_previous_hash_idx').execute();
      await db.schema.alterTable('api_keys').dropColumn('previous_expires_at').execute();
      await db.schema.alterTable('api_keys').dropColumn('previous_key_hash').execute();
    },
  },
  '0005_usage_trace_id': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Null for rows written before, and for requests that had no trace.
      await db.schema.alterTable('usage_log').addColumn('trace_id', 'text').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('usage_log').dropColumn('trace_id').execute();
    },
  },
  '0006_usage_lookup_indexes': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The usage log looked up by a response's x-request-id or by a trace id.
      await db.schema
        .createIndex('usage_log_request_idx')
        .on('usage_log')
        .column('request_id')
        .execute();
      await db.schema
        .createIndex('usage_log_trace_idx')
        .on('usage_log')
        .column('trace_id')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('usage_log_trace_idx').execute();
      await db.schema.dropIndex('usage_log_request_idx').execute();
    },
  },
};

/**
 * PostgreSQL: the schema the tables go to (the first of `search_path`), named to the
 * migrator. Without it Kysely looks for its own tables in every schema of the database,
 * takes another schema's (another deployment's) for ours and never creates them.
 */
async function ownSchema(db: Kysely<StorageSchema>): Promise<{ migrationTableSchema?: string }> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return {};
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(
    db,
  );
  const schema = rows[0]?.schema;
  return schema ? { migrationTableSchema: schema } : {};
}

class InCodeMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

/** Brings the schema up to date; safe to run from several replicas at once (Kysely locks). */
export async function migrateToLatest(db: Kysely<StorageSchema>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrations(),
    ...(await ownSchema(db)),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(
      `database migration${failed ? ` ${failed}` : ''} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
