import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '../storage/database.js';
import type { TeamsTable } from '../storage/schema.js';
import { newestFirstPage } from '../storage/newest-first-page.js';
import { guardStorage } from '../storage/storage-errors.js';
import type { BudgetPeriod } from './key.repository.js';

/** A team as stored: limits, budget and allowlist shared by its keys. */
export interface TeamRecord {
  id: string;
  name: string;
  createdAt: number;
  /** Allowed models; null: all. */
  models: string[] | null;
  rpm: number | null;
  tpm: number | null;
  maxParallel: number | null;
  /** Integer nano-dollars. */
  budgetNanos: bigint | null;
  budgetPeriod: BudgetPeriod | null;
  metadata: Record<string, string> | null;
}

export type TeamChanges = Partial<Omit<TeamRecord, 'id' | 'createdAt'>>;

/** Failures are GatewayErrors (503 while the database is unreachable; see guardStorage). */
@Injectable()
export class TeamRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async insert(team: TeamRecord): Promise<void> {
    await guardStorage(this.database.db.insertInto('teams').values(toRow(team)).execute());
  }

  async findById(id: string): Promise<TeamRecord | undefined> {
    const row = await guardStorage(
      this.database.db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst(),
    );
    return row && fromRow(row);
  }

  /** Newest first. */
  async list(limit: number, offset: number): Promise<{ teams: TeamRecord[]; total: number }> {
    const { rows, total } = await newestFirstPage(this.database.db, 'teams', limit, offset);
    return { teams: rows.map(fromRow), total };
  }

  async update(id: string, changes: TeamChanges): Promise<TeamRecord | undefined> {
    const current = await this.findById(id);
    if (!current) return undefined;
    const row = toRow({ ...current, ...definedOnly(changes) });
    const { id: _id, created_at: _created, ...set } = row;
    await guardStorage(
      this.database.db.updateTable('teams').set(set).where('id', '=', id).execute(),
    );
    return this.findById(id);
  }

  async delete(id: string): Promise<boolean> {
    const result = await guardStorage(
      this.database.db.deleteFrom('teams').where('id', '=', id).executeTakeFirst(),
    );
    return Number(result.numDeletedRows) > 0;
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function toRow(t: TeamRecord): TeamsTable {
  return {
    id: t.id,
    name: t.name,
    created_at: t.createdAt,
    models: t.models === null ? null : JSON.stringify(t.models),
    rpm: t.rpm,
    tpm: t.tpm,
    max_parallel: t.maxParallel,
    budget_nanos: t.budgetNanos,
    budget_period: t.budgetPeriod,
    metadata: t.metadata === null ? null : JSON.stringify(t.metadata),
  };
}

function fromRow(r: TeamsTable): TeamRecord {
  return {
    id: r.id,
    name: r.name,
    createdAt: Number(r.created_at),
    models: r.models === null ? null : (JSON.parse(r.models) as string[]),
    rpm: r.rpm === null ? null : Number(r.rpm),
    tpm: r.tpm === null ? null : Number(r.tpm),
    maxParallel: r.max_parallel === null ? null : Number(r.max_parallel),
    budgetNanos: r.budget_nanos === null ? null : BigInt(r.budget_nanos),
    budgetPeriod: r.budget_period as BudgetPeriod | null,
    metadata: r.metadata === null ? null : (JSON.parse(r.metadata) as Record<string, string>),
  };
}
