import { Inject, Injectable } from '@nestjs/common';
import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type RawBuilder,
  type SqlBool,
} from 'kysely';
import { DATABASE, type Database, type SqliteDriver } from '../storage/database.js';
import type { StorageSchema, UsageLogTable } from '../storage/schema.js';
import type { UsageRecord } from './usage-record.js';

export interface UsageFilter {
  requestId?: string;
  traceId?: string;
  keyId?: string;
  teamId?: string;
  provider?: string;
  model?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
}

/** What a summary can total by. */
export const USAGE_GROUPS = ['model', 'provider', 'key', 'team', 'day'] as const;
export type UsageGroupBy = (typeof USAGE_GROUPS)[number];

/** What a summary groups on: `model` is provider and model together. */
export type GroupColumn = 'provider' | 'model' | 'key_id' | 'team_id' | 'day';

export interface UsageSummaryRow {
  /** The group's columns; `day` is whole UTC days since the epoch. */
  group: Partial<Record<GroupColumn, string | number | null>>;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Exact sum of known costs. */
  costNanos: bigint;
  /** Requests with tokens but no price. */
  unpricedRequests: number;
}

/** Where a log page starts after the last entry of the one before (newest first). */
export interface LogCursor {
  createdAt: number;
  id: string;
}

/** Multi-row inserts stay well under SQLite's and PostgreSQL's bound-parameter limits. */
const INSERT_CHUNK = 500;
const DAY_MS = 86_400_000;

/** The usage log table: batched idempotent inserts, filtered listing, sums, retention. */
@Injectable()
export class UsageRepository {
  private sqliteInsert?: (rows: UsageLogTable[]) => void;

  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /** Inserts rows, skipping ids already stored, so replaying a batch writes nothing twice. */
  async insertMany(records: UsageRecord[]): Promise<void> {
    const sqlite = this.database.sqlite;
    if (sqlite) {
      // SQLite writes run on the event loop: one cached prepared statement in one
      // transaction costs a fraction of compiling a multi-row query per batch.
      this.sqliteInsert ??= prepareSqliteInsert(sqlite);
      this.sqliteInsert(records.map(toRow));
      return;
    }
    for (let i = 0; i < records.length; i += INSERT_CHUNK) {
      await this.database.db
        .insertInto('usage_log')
        .values(records.slice(i, i + INSERT_CHUNK).map(toRow))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
  }

  async list(
    filter: UsageFilter,
    limit: number,
    offset: number,
  ): Promise<{ records: UsageRecord[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.listQuery(filter, limit, offset).execute(),
      this.database.db
        .selectFrom('usage_log')
        .where((eb) => matches(eb, filter))
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { records: rows.map(fromRow), total: Number(count.n) };
  }

  /**
   * The entries after `cursor` (newest first): how an export reads page after page
   * without an offset scan, along the same indexes as `list`.
   */
  async listAfter(filter: UsageFilter, cursor: LogCursor, limit: number): Promise<UsageRecord[]> {
    const rows = await this.listQuery(filter, limit)
      .where((eb) =>
        eb.or([
          eb('created_at', '<', cursor.createdAt),
          eb.and([eb('created_at', '=', cursor.createdAt), eb('id', '<', cursor.id)]),
        ]),
      )
      .execute();
    return rows.map(fromRow);
  }

  /**
   * Totals per group, one page of them, and how many groups there are. Groups come by
   * day first (when grouped by day), then by cost and requests, most first, then by their
   * values: a total order, so pages neither skip nor repeat a group.
   */
  async summary(
    groupBy: readonly UsageGroupBy[],
    filter: UsageFilter,
    limit: number,
    offset: number,
  ): Promise<{ rows: UsageSummaryRow[]; total: number }> {
    const columns = [...new Set(groupBy.flatMap((g) => GROUP_COLUMNS[g]))];
    const grouped = columns.map((c) => COLUMN_SQL[c]);
    let query = this.database.db
      .selectFrom('usage_log')
      .where((eb) => matches(eb, filter))
      .select(columns.map((c) => COLUMN_SQL[c].as(c)))
      .select((eb) => [
        eb.fn.countAll<number>().as('requests'),
        eb.fn.sum<number>('prompt_tokens').as('prompt_tokens'),
        eb.fn.sum<number>('completion_tokens').as('completion_tokens'),
        eb.fn.sum<number>('total_tokens').as('total_tokens'),
        // Text, not a number: an exact sum however large (numeric in PostgreSQL).
        sql<string | null>`cast(sum(cost_nanos) as text)`.as('cost_nanos'),
        sql<number>`sum(case when cost_nanos is null and total_tokens > 0 then 1 else 0 end)`.as(
          'unpriced',
        ),
      ])
      .groupBy(grouped);
    if (columns.includes('day')) query = query.orderBy(COLUMN_SQL.day);
    query = query.orderBy(sql`coalesce(sum(cost_nanos), 0)`, 'desc').orderBy(sql`count(*)`, 'desc');
    // Nulls last on both dialects (SQLite sorts them first, PostgreSQL last).
    for (const c of columns)
      query = query.orderBy(sql`${COLUMN_SQL[c]} is null`).orderBy(COLUMN_SQL[c]);
    const [rows, count] = await Promise.all([
      query.limit(limit).offset(offset).execute(),
      this.database.db
        .selectFrom(
          this.database.db
            .selectFrom('usage_log')
            .where((eb) => matches(eb, filter))
            .select(sql<number>`1`.as('one'))
            .groupBy(grouped)
            .as('groups'),
        )
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return {
      total: Number(count.n),
      rows: rows.map((r) => {
        const row = r as unknown as Record<string, unknown>;
        return {
          group: Object.fromEntries(
            columns.map((c) => [c, c === 'day' ? Number(row[c]) : (row[c] as string | null)]),
          ),
          requests: Number(r.requests),
          promptTokens: Number(r.prompt_tokens ?? 0),
          completionTokens: Number(r.completion_tokens ?? 0),
          totalTokens: Number(r.total_tokens ?? 0),
          costNanos: BigInt(r.cost_nanos ?? 0),
          unpricedRequests: Number(r.unpriced ?? 0),
        };
      }),
    };
  }

  /**
   * Exact sum of recorded cost (nano-dollars) of a key's or team's requests from `from`
   * on: what a budget ledger starts from.
   */
  async sumCost(filter: Pick<UsageFilter, 'keyId' | 'teamId' | 'from'>): Promise<bigint> {
    const row = await this.database.db
      .selectFrom('usage_log')
      .where((eb) => matches(eb, filter))
      .select(sql<string | null>`cast(sum(cost_nanos) as text)`.as('cost'))
      .executeTakeFirst();
    return BigInt(row?.cost ?? 0);
  }

  /** Names of keys or teams by id (for summaries), those that still exist. */
  async names(kind: 'key' | 'team', ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows =
      kind === 'key'
        ? await this.database.db
            .selectFrom('api_keys')
            .select(['id', 'name'])
            .where('id', 'in', ids)
            .execute()
        : await this.database.db
            .selectFrom('teams')
            .select(['id', 'name'])
            .where('id', 'in', ids)
            .execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /**
   * Deletes up to `batch` rows created before `cutoff` (oldest first); returns how many.
   * Small batches keep each transaction and lock short.
   */
  async deleteOlderThan(cutoff: number, batch: number): Promise<number> {
    const result = await this.database.db
      .deleteFrom('usage_log')
      .where('id', 'in', (qb) =>
        qb
          .selectFrom('usage_log')
          .select('id')
          .where('created_at', '<', cutoff)
          .orderBy('created_at')
          .limit(batch),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** The database's plan for a log page, one line per plan node (docs and tests). */
  async explainList(filter: UsageFilter, limit: number): Promise<string[]> {
    const compiled = this.listQuery(filter, limit, 0).compile();
    const prefix = this.database.dialect === 'sqlite' ? 'explain query plan ' : 'explain ';
    const result = await this.database.db.executeQuery<Record<string, unknown>>({
      ...compiled,
      sql: prefix + compiled.sql,
    });
    return result.rows.map((r) =>
      String(this.database.dialect === 'sqlite' ? r.detail : r['QUERY PLAN']),
    );
  }

  /** A log page's query: the filter, newest first (`id` breaking ties), `limit` entries. */
  private listQuery(filter: UsageFilter, limit: number, offset?: number) {
    const query = this.database.db
      .selectFrom('usage_log')
      .selectAll()
      .where((eb) => matches(eb, filter))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    return offset === undefined ? query : query.offset(offset);
  }
}

function matches(
  eb: ExpressionBuilder<StorageSchema, 'usage_log'>,
  f: UsageFilter,
): Expression<SqlBool> {
  const and: Array<Expression<SqlBool>> = [];
  if (f.requestId !== undefined) and.push(eb('request_id', '=', f.requestId));
  if (f.traceId !== undefined) and.push(eb('trace_id', '=', f.traceId));
  if (f.keyId !== undefined) and.push(eb('key_id', '=', f.keyId));
  if (f.teamId !== undefined) and.push(eb('team_id', '=', f.teamId));
  if (f.provider !== undefined) and.push(eb('provider', '=', f.provider));
  if (f.model !== undefined) and.push(eb('model', '=', f.model));
  if (f.from !== undefined) and.push(eb('created_at', '>=', f.from));
  if (f.to !== undefined) and.push(eb('created_at', '<', f.to));
  return eb.and(and);
}

const GROUP_COLUMNS: Record<UsageGroupBy, GroupColumn[]> = {
  model: ['provider', 'model'],
  provider: ['provider'],
  key: ['key_id'],
  team: ['team_id'],
  day: ['day'],
};

const COLUMN_SQL: Record<GroupColumn, RawBuilder<string | number | null>> = {
  provider: sql<string | null>`provider`,
  model: sql<string | null>`model`,
  key_id: sql<string | null>`key_id`,
  team_id: sql<string | null>`team_id`,
  // Integer division on both dialects: whole UTC days since the epoch.
  day: sql<number>`(created_at / ${sql.lit(DAY_MS)})`,
};

// Every column of the table, and the type checker makes sure of it: a column left out
// here would be dropped without a word by SQLite's named parameters.
const USAGE_COLUMNS = Object.keys({
  id: true,
  request_id: true,
  created_at: true,
  key_id: true,
  requested_model: true,
  provider: true,
  model: true,
  stream: true,
  status_code: true,
  prompt_tokens: true,
  completion_tokens: true,
  total_tokens: true,
  cached_tokens: true,
  cache_write_tokens: true,
  reasoning_tokens: true,
  cost_nanos: true,
  cost_reason: true,
  latency_ms: true,
  ttft_ms: true,
  error_type: true,
  error_code: true,
  partial: true,
  usage_estimated: true,
  end_user: true,
  attempts: true,
  team_id: true,
  trace_id: true,
} satisfies Record<keyof UsageLogTable, true>) as ReadonlyArray<keyof UsageLogTable>;

function prepareSqliteInsert(sqlite: SqliteDriver): (rows: UsageLogTable[]) => void {
  const stmt = sqlite.prepare(
    `INSERT INTO usage_log (${USAGE_COLUMNS.join(', ')}) VALUES (${USAGE_COLUMNS.map((c) => `@${c}`).join(', ')}) ON CONFLICT (id) DO NOTHING`,
  );
  return sqlite.transaction((rows: UsageLogTable[]) => {
    for (const row of rows) stmt.run(row);
  });
}

function toRow(r: UsageRecord): UsageLogTable {
  return {
    id: r.id,
    request_id: r.requestId,
    created_at: r.createdAt,
    key_id: r.keyId,
    requested_model: r.requestedModel,
    provider: r.provider,
    model: r.model,
    stream: r.stream ? 1 : 0,
    status_code: r.statusCode,
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    total_tokens: r.totalTokens,
    cached_tokens: r.cachedTokens,
    cache_write_tokens: r.cacheWriteTokens,
    reasoning_tokens: r.reasoningTokens,
    cost_nanos: r.costNanos,
    cost_reason: r.costReason,
    latency_ms: r.latencyMs,
    ttft_ms: r.ttftMs,
    error_type: r.errorType,
    error_code: r.errorCode,
    partial: r.partial ? 1 : 0,
    usage_estimated: r.usageEstimated ? 1 : 0,
    end_user: r.user,
    attempts: r.attempts,
    team_id: r.teamId,
    trace_id: r.traceId,
  };
}

function fromRow(r: UsageLogTable): UsageRecord {
  return {
    id: r.id,
    requestId: r.request_id,
    createdAt: Number(r.created_at),
    keyId: r.key_id,
    teamId: r.team_id ?? null,
    requestedModel: r.requested_model,
    provider: r.provider,
    model: r.model,
    stream: Number(r.stream) === 1,
    statusCode: Number(r.status_code),
    promptTokens: Number(r.prompt_tokens),
    completionTokens: Number(r.completion_tokens),
    totalTokens: Number(r.total_tokens),
    cachedTokens: Number(r.cached_tokens),
    cacheWriteTokens: Number(r.cache_write_tokens),
    reasoningTokens: Number(r.reasoning_tokens),
    costNanos: r.cost_nanos === null ? null : BigInt(r.cost_nanos),
    costReason: r.cost_reason,
    latencyMs: Number(r.latency_ms),
    ttftMs: r.ttft_ms === null ? null : Number(r.ttft_ms),
    errorType: r.error_type,
    errorCode: r.error_code,
    partial: Number(r.partial) === 1,
    usageEstimated: Number(r.usage_estimated) === 1,
    user: r.end_user,
    attempts: Number(r.attempts),
    traceId: r.trace_id ?? null,
  };
}
