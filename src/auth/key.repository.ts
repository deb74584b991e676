import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '../storage/database.js';
import type { ApiKeysTable } from '../storage/schema.js';
import { newestFirstPage } from '../storage/newest-first-page.js';
import { guardStorage } from '../storage/storage-errors.js';

export const BUDGET_PERIODS = ['daily', 'weekly', 'monthly', 'total'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** A managed API key as stored: never the key itself, only its hash and a display prefix. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  keyHash: string;
  keyPrefix: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  /** Allowed models; null: all. */
  models: string[] | null;
  rpm: number | null;
  tpm: number | null;
  maxParallel: number | null;
  /** Integer nano-dollars. */
  budgetNanos: bigint | null;
  budgetPeriod: BudgetPeriod | null;
  metadata: Record<string, string> | null;
  teamId: string | null;
  /** The hash of the secret the last rotation replaced; accepted until `previousExpiresAt`. */
  previousKeyHash: string | null;
  previousExpiresAt: number | null;
}

/** A rotation: the new secret's hash and prefix, and when the replaced one stops working. */
export interface KeyRotation {
  keyHash: string;
  keyPrefix: string;
  previousExpiresAt: number;
}

/** What `PATCH /admin/keys/{id}` may change; absent fields stay as they are. */
export type KeyChanges = Partial<
  Pick<
    ApiKeyRecord,
    | 'name'
    | 'teamId'
    | 'expiresAt'
    | 'models'
    | 'rpm'
    | 'tpm'
    | 'maxParallel'
    | 'budgetNanos'
    | 'budgetPeriod'
    | 'metadata'
  >
>;

/** Failures are GatewayErrors (503 while the database is unreachable; see guardStorage). */
@Injectable()
export class KeyRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async insert(key: ApiKeyRecord): Promise<void> {
    await guardStorage(this.database.db.insertInto('api_keys').values(toRow(key)).execute());
  }

  /** The key whose secret, or whose secret before its last rotation, has this hash. */
  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const row = await guardStorage(
      this.database.db
        .selectFrom('api_keys')
        .selectAll()
        .where((eb) => eb.or([eb('key_hash', '=', keyHash), eb('previous_key_hash', '=', keyHash)]))
        .executeTakeFirst(),
    );
    return row && fromRow(row);
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await guardStorage(
      this.database.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst(),
    );
    return row && fromRow(row);
  }

  /** A page, newest first, and how many keys there are. */
  async list(limit: number, offset: number): Promise<{ keys: ApiKeyRecord[]; total: number }> {
    const { rows, total } = await newestFirstPage(this.database.db, 'api_keys', limit, offset);
    return { keys: rows.map(fromRow), total };
  }

  /**
   * Gives an active key (not revoked, not expired at `now`) a new secret; the one it had
   * becomes the previous secret, accepted until `previousExpiresAt`. One statement, so two
   * rotations at once cannot lose a secret: the later one keeps the earlier one's as the
   * previous. Returns the key as it now is, or undefined when no active key has this id.
   */
  async rotate(id: string, rotation: KeyRotation, now: number): Promise<ApiKeyRecord | undefined> {
    const result = await guardStorage(
      this.database.db
        .updateTable('api_keys')
        .set((eb) => ({
          previous_key_hash: eb.ref('key_hash'),
          previous_expires_at: rotation.previousExpiresAt,
          key_hash: rotation.keyHash,
          key_prefix: rotation.keyPrefix,
        }))
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) > 0 ? this.findById(id) : undefined;
  }

  /** Applies changes; returns the key as it now is (undefined when there is none). */
  async update(id: string, changes: KeyChanges): Promise<ApiKeyRecord | undefined> {
    const row = toRow({ ...EMPTY_KEY, ...changes });
    const set: Partial<ApiKeysTable> = {};
    for (const [field, column] of CHANGEABLE) {
      if (changes[field] !== undefined) (set as Record<string, unknown>)[column] = row[column];
    }
    if (Object.keys(set).length > 0) {
      await guardStorage(
        this.database.db.updateTable('api_keys').set(set).where('id', '=', id).execute(),
      );
    }
    return this.findById(id);
  }

  /** How many keys not revoked belong to a team. */
  async countActiveInTeam(teamId: string): Promise<number> {
    const row = await guardStorage(
      this.database.db
        .selectFrom('api_keys')
        .where('team_id', '=', teamId)
        .where('revoked_at', 'is', null)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    return Number(row.n);
  }

  /** Revoked keys keep no link to a team being deleted. */
  async detachRevokedFromTeam(teamId: string): Promise<void> {
    await guardStorage(
      this.database.db
        .updateTable('api_keys')
        .set({ team_id: null })
        .where('team_id', '=', teamId)
        .execute(),
    );
  }

  /** Sets `revoked_at` unless already set; returns the key as it now is. */
  async revoke(id: string, at: number): Promise<ApiKeyRecord | undefined> {
    await guardStorage(
      this.database.db
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute(),
    );
    return this.findById(id);
  }
}

const CHANGEABLE: ReadonlyArray<[keyof KeyChanges, keyof ApiKeysTable]> = [
  ['name', 'name'],
  ['teamId', 'team_id'],
  ['expiresAt', 'expires_at'],
  ['models', 'models'],
  ['rpm', 'rpm'],
  ['tpm', 'tpm'],
  ['maxParallel', 'max_parallel'],
  ['budgetNanos', 'budget_nanos'],
  ['budgetPeriod', 'budget_period'],
  ['metadata', 'metadata'],
];

const EMPTY_KEY: ApiKeyRecord = {
  id: '',
  name: '',
  keyHash: '',
  keyPrefix: '',
  createdAt: 0,
  expiresAt: null,
  revokedAt: null,
  models: null,
  rpm: null,
  tpm: null,
  maxParallel: null,
  budgetNanos: null,
  budgetPeriod: null,
  metadata: null,
  teamId: null,
  previousKeyHash: null,
  previousExpiresAt: null,
};

function toRow(k: ApiKeyRecord): ApiKeysTable {
  return {
    id: k.id,
    name: k.name,
    key_hash: k.keyHash,
    key_prefix: k.keyPrefix,
    created_at: k.createdAt,
    expires_at: k.expiresAt,
    revoked_at: k.revokedAt,
    models: k.models === null ? null : JSON.stringify(k.models),
    rpm: k.rpm,
    tpm: k.tpm,
    budget_nanos: k.budgetNanos,
    budget_period: k.budgetPeriod,
    metadata: k.metadata === null ? null : JSON.stringify(k.metadata),
    team_id: k.teamId,
    max_parallel: k.maxParallel,
    previous_key_hash: k.previousKeyHash,
    previous_expires_at: k.previousExpiresAt,
  };
}

function fromRow(r: ApiKeysTable): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    keyHash: r.key_hash,
    keyPrefix: r.key_prefix,
    createdAt: Number(r.created_at),
    expiresAt: r.expires_at === null ? null : Number(r.expires_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    models: r.models === null ? null : (JSON.parse(r.models) as string[]),
    rpm: r.rpm === null ? null : Number(r.rpm),
    tpm: r.tpm === null ? null : Number(r.tpm),
    budgetNanos: r.budget_nanos === null ? null : BigInt(r.budget_nanos),
    budgetPeriod: r.budget_period as BudgetPeriod | null,
    metadata: r.metadata === null ? null : (JSON.parse(r.metadata) as Record<string, string>),
    teamId: r.team_id ?? null,
    maxParallel: r.max_parallel == null ? null : Number(r.max_parallel),
    previousKeyHash: r.previous_key_hash ?? null,
    previousExpiresAt: r.previous_expires_at == null ? null : Number(r.previous_expires_at),
  };
}
