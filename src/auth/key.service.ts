import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../common/clock/clock.js';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { LOGGER } from '../logging/logging.module.js';
import { isStorageUnavailable, STORAGE_UNAVAILABLE_MESSAGE } from '../storage/storage-errors.js';
import { RedisService } from '../redis/redis.service.js';
import type { CreatedKeyDto, KeyDto, KeyListDto } from './dto/key.dto.js';
import type { CreateKeyDto, UpdateKeyDto } from './dto/create-key.dto.js';
import { KeyRepository, type ApiKeyRecord } from './key.repository.js';
import { limitChanges, notNull } from './limit-fields.js';
import type { TeamRecord } from './team.repository.js';

export interface KeyCacheOptions {
  /** How long a found key is trusted; bounds how long a revoked key lingers without Redis. */
  ttlMs: number;
  maxEntries: number;
  /** How long an unknown token is taken as unknown; bounds how late a new key is seen elsewhere. */
  negativeTtlMs?: number;
  maxNegativeEntries?: number;
}

export const KEY_CACHE_OPTIONS = Symbol('KEY_CACHE_OPTIONS');
export const DEFAULT_KEY_CACHE: Required<KeyCacheOptions> = {
  ttlMs: 5_000,
  maxEntries: 10_000,
  negativeTtlMs: 2_000,
  maxNegativeEntries: 10_000,
};
/** Redis channel on which replicas announce revoked key ids. */
export const KEY_REVOKED_CHANNEL = 'tollgate:keys:revoked';
/** Redis channel on which replicas announce changed key ids (PATCH). */
export const KEY_CHANGED_CHANNEL = 'tollgate:keys:changed';

/** Looks a team up (404 when it does not exist): how keys check the `team_id` they are given. */
export const TEAM_LOOKUP = Symbol('TEAM_LOOKUP');
export type TeamLookup = (id: string) => Promise<TeamRecord>;
/** After a lookup found the database unreachable, how long before it is asked again. */
const STORAGE_RETRY_MS = 1_000;

const KEY_PREFIX = 'tg-';
/** 32 random bytes, base64url. */
const SECRET_BYTES = 32;
const DISPLAY_CHARS = 8;
/**
 * `tg-` and 32 bytes in unpadded base64url: 42 characters, then one carrying the last 4
 * bits followed by two zero bits, so only every fourth letter of the alphabet can end it.
 */
const MANAGED_KEY = /^tg-[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

interface CacheEntry {
  key: ApiKeyRecord;
  expiresAt: number;
}

/**
 * True for strings that can be a key this gateway made; anything else is refused without
 * a lookup.
 */
export function isManagedKey(token: string): boolean {
  return MANAGED_KEY.test(token);
}

/**
 * Managed API keys: creation (the secret is returned once and only its SHA-256 is kept),
 * listing, revocation, and the lookup behind every request made with one.
 *
 * Found keys are cached in-process for `ttlMs` (5 s) in a bounded map, so the hot path
 * makes no database round trip. A revoked key therefore stops working on every replica
 * within 5 s; with Redis, at once: revocation is published and every replica evicts it.
 * Unknown tokens are remembered apart, for `negativeTtlMs` (2 s), in their own bounded
 * map, so a flood of made-up tokens costs one query per token and never pushes real keys
 * out. Concurrent lookups of one key share one query, and a lookup that started before an
 * eviction does not put its (possibly stale) answer back into the cache.
 *
 * While the database is unreachable, a key seen before keeps its last known entry past
 * its TTL (a Redis revocation still evicts it); an unknown token gets 503. After a failed
 * lookup the database is not asked again for `STORAGE_RETRY_MS`.
 */
@Injectable()
export class KeyService implements OnModuleInit {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly misses = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<ApiKeyRecord | null>>();
  private generation = 0;
  private storageDownUntil = 0;
  private readonly options: Required<KeyCacheOptions>;

  constructor(
    private readonly repository: KeyRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(KEY_CACHE_OPTIONS) options?: KeyCacheOptions,
    @Optional() private readonly redis?: RedisService,
    @Optional() @Inject(TEAM_LOOKUP) private readonly teams?: TeamLookup,
  ) {
    this.options = { ...DEFAULT_KEY_CACHE, ...options };
  }

  onModuleInit(): void {
    if (!this.redis) return;
    // Messages sent while disconnected are lost: re-check every key after a reconnect.
    this.redis.onReconnect(() => this.expireAll());
    this.redis.subscribe(KEY_REVOKED_CHANNEL, (id) => this.evict(id));
    this.redis.subscribe(KEY_CHANGED_CHANNEL, (id) => this.evict(id));
  }

  async create(dto: CreateKeyDto): Promise<CreatedKeyDto> {
    const now = this.clock.now();
    const expiresAt = dto.expires_at == null ? null : futureInstant(dto.expires_at, now);
    const limits = limitChanges(dto, undefined);
    if (dto.team_id != null) await this.teamOf(dto.team_id);
    const secret = newSecret();
    const record: ApiKeyRecord = {
      id: this.ids.next('key'),
      name: dto.name,
      keyHash: hashKey(secret),
      keyPrefix: displayPrefix(secret),
      createdAt: now,
      expiresAt,
      revokedAt: null,
      models: null,
      rpm: null,
      tpm: null,
      maxParallel: null,
      budgetNanos: null,
      budgetPeriod: null,
      metadata: null,
      ...limits,
      teamId: dto.team_id ?? null,
      previousKeyHash: null,
      previousExpiresAt: null,
    };
    await this.repository.insert(record);
    // A probe of this token a moment ago must not hide the new key.
    this.misses.delete(record.keyHash);
    return { ...toKeyDto(record, now), key: secret };
  }

  async list(limit: number, offset: number): Promise<KeyListDto> {
    const now = this.clock.now();
    const { keys, total } = await this.repository.list(limit, offset);
    return { data: keys.map((k) => toKeyDto(k, now)), total };
  }

  async get(id: string): Promise<KeyDto> {
    const key = await this.repository.findById(id);
    if (!key) throw keyNotFound(id);
    return toKeyDto(key, this.clock.now());
  }

  /** Changes a key; every replica sees the change at once with Redis, else within the cache TTL. */
  async update(id: string, dto: UpdateKeyDto): Promise<KeyDto> {
    const current = await this.repository.findById(id);
    if (!current) throw keyNotFound(id);
    const now = this.clock.now();
    if (dto.team_id != null) await this.teamOf(dto.team_id);
    const key = await this.repository.update(id, {
      name: notNull(dto.name, 'name'),
      teamId: dto.team_id,
      expiresAt:
        dto.expires_at === undefined
          ? undefined
          : dto.expires_at === null
            ? null
            : futureInstant(dto.expires_at, now),
      ...limitChanges(dto, current),
    });
    if (!key) throw keyNotFound(id);
    await this.announceChange(id);
    return toKeyDto(key, now);
  }

  /**
   * Gives an active key a new secret, shown this once; the old one keeps working for
   * `graceSeconds` and then gets 401. The deadline is stored with the key, so every
   * replica enforces it from the database, whichever did the rotation. Id, name, team,
   * limits and usage history stay. 404 for an unknown id, 409 for a revoked or expired key.
   */
  async rotate(id: string, graceSeconds: number): Promise<CreatedKeyDto> {
    const now = this.clock.now();
    const secret = newSecret();
    const key = await this.repository.rotate(
      id,
      {
        keyHash: hashKey(secret),
        keyPrefix: displayPrefix(secret),
        previousExpiresAt: now + graceSeconds * 1000,
      },
      now,
    );
    if (!key) throw await this.notRotatable(id);
    this.misses.delete(key.keyHash);
    await this.announceChange(id);
    return { ...toKeyDto(key, now), key: secret };
  }

  private async notRotatable(id: string): Promise<GatewayError> {
    const current = await this.repository.findById(id);
    if (!current) return keyNotFound(id);
    const revoked = current.revokedAt !== null;
    return new GatewayError(
      ErrorCode.InvalidRequest,
      revoked
        ? `API key '${id}' is revoked; create a new key instead.`
        : `API key '${id}' has expired; extend its expires_at (PATCH) before rotating it.`,
      { status: 409, param: 'id', wireCode: revoked ? 'key_revoked' : 'key_expired' },
    );
  }

  /** Evicts the key here and, through Redis, on every other replica. */
  private async announceChange(id: string): Promise<void> {
    this.evict(id);
    if (this.redis && !(await this.redis.publish(KEY_CHANGED_CHANNEL, id))) {
      this.logger.warn(
        { key_id: id, ttl_ms: this.options.ttlMs },
        'could not announce a key change; other replicas see it once their cache expires',
      );
    }
  }

  private async teamOf(teamId: string): Promise<void> {
    if (!this.teams) throw new Error('teams are not available');
    try {
      await this.teams(teamId);
    } catch (err) {
      if (err instanceof GatewayError && err.code === ErrorCode.NotFound) {
        throw new GatewayError(ErrorCode.InvalidRequest, `No team with id '${teamId}'.`, {
          param: 'team_id',
          wireCode: 'team_not_found',
        });
      }
      throw err;
    }
  }

  async revoke(id: string): Promise<KeyDto> {
    const key = await this.repository.revoke(id, this.clock.now());
    if (!key) throw keyNotFound(id);
    this.evict(id);
    if (this.redis && !(await this.redis.publish(KEY_REVOKED_CHANNEL, id))) {
      this.logger.warn(
        { key_id: id, ttl_ms: this.options.ttlMs },
        'could not announce key revocation; other replicas refuse the key once their cache expires',
      );
    }
    return toKeyDto(key, this.clock.now());
  }

  /**
   * The key a bearer token belongs to (revoked and expired ones included), or null.
   * Throws 503 `service_unavailable` when the database cannot say and the key was never
   * seen.
   */
  async findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const now = this.clock.now();
    const hit = this.cache.get(keyHash);
    if (hit) {
      if (hit.expiresAt > now) return hit.key;
    } else {
      const missUntil = this.misses.get(keyHash);
      if (missUntil !== undefined) {
        if (missUntil > now) return null;
        this.misses.delete(keyHash);
      }
    }
    if (now < this.storageDownUntil) {
      if (hit) return hit.key;
      throw new GatewayError(ErrorCode.ServiceUnavailable, STORAGE_UNAVAILABLE_MESSAGE, {
        retryAfter: '1',
      });
    }
    return this.inflight.get(keyHash) ?? this.lookUp(keyHash, now);
  }

  private lookUp(keyHash: string, now: number): Promise<ApiKeyRecord | null> {
    const generation = this.generation;
    const lookup = this.repository
      .findByHash(keyHash)
      .then(
        (key) => {
          // Trusted from when the query started, and only if nothing was evicted meanwhile.
          if (generation === this.generation) this.remember(keyHash, key ?? null, now);
          return key ?? null;
        },
        (err: unknown) => {
          if (isStorageUnavailable(err)) this.storageDown(err);
          // The last known entry, unless a revocation evicted it meanwhile.
          const stale = this.cache.get(keyHash);
          if (stale) return stale.key;
          throw err;
        },
      )
      .finally(() => {
        if (this.inflight.get(keyHash) === lookup) this.inflight.delete(keyHash);
      });
    this.inflight.set(keyHash, lookup);
    return lookup;
  }

  private remember(keyHash: string, key: ApiKeyRecord | null, at: number): void {
    if (key === null) {
      if (this.misses.size >= this.options.maxNegativeEntries) deleteOldest(this.misses);
      this.misses.set(keyHash, at + this.options.negativeTtlMs);
      return;
    }
    // Re-inserted at the end, so the entries evicted first are the least recently fetched.
    if (!this.cache.delete(keyHash) && this.cache.size >= this.options.maxEntries) {
      deleteOldest(this.cache);
    }
    this.cache.set(keyHash, { key, expiresAt: at + this.options.ttlMs });
  }

  private storageDown(err: unknown): void {
    const now = this.clock.now();
    if (now >= this.storageDownUntil) {
      // The driver's own message (the GatewayError's is generic); no credentials in it.
      const cause = (err as Error).cause ?? err;
      this.logger.warn(
        { err: { message: cause instanceof Error ? cause.message : String(cause) } },
        'database unreachable: keys seen before keep working, unknown keys get 503',
      );
    }
    this.storageDownUntil = now + STORAGE_RETRY_MS;
  }

  private evict(id: string): void {
    this.generation++;
    // Lookups already in flight may have read the key before it changed: new callers
    // must not join them.
    this.inflight.clear();
    for (const [hash, entry] of this.cache) if (entry.key.id === id) this.cache.delete(hash);
  }

  /** Every entry is checked again on its next use; kept meanwhile as the outage fallback. */
  private expireAll(): void {
    this.generation++;
    this.inflight.clear();
    this.misses.clear();
    for (const entry of this.cache.values()) entry.expiresAt = 0;
  }
}

function newSecret(): string {
  return `${KEY_PREFIX}${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

function displayPrefix(secret: string): string {
  return secret.slice(0, KEY_PREFIX.length + DISPLAY_CHARS);
}

function keyNotFound(id: string): GatewayError {
  return new GatewayError(ErrorCode.NotFound, `No API key with id '${id}'.`, {
    param: 'id',
    wireCode: 'key_not_found',
  });
}

function futureInstant(value: string, now: number): number {
  const at = Date.parse(value);
  if (Number.isNaN(at) || at <= now) {
    throw new GatewayError(ErrorCode.InvalidRequest, "'expires_at' must be in the future.", {
      param: 'expires_at',
      wireCode: 'invalid_value',
    });
  }
  return at;
}

function deleteOldest(map: Map<string, unknown>): void {
  const oldest = map.keys().next();
  if (!oldest.done) map.delete(oldest.value);
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** What a managed key is stored and looked up by: the hex SHA-256 of its secret. */
export function hashKey(secret: string): string {
  return sha256(secret).toString('hex');
}

export function toKeyDto(k: ApiKeyRecord, now: number): KeyDto {
  return {
    id: k.id,
    object: 'api_key',
    name: k.name,
    team_id: k.teamId,
    key_prefix: k.keyPrefix,
    status:
      k.revokedAt !== null
        ? 'revoked'
        : k.expiresAt !== null && k.expiresAt <= now
          ? 'expired'
          : 'active',
    created_at: new Date(k.createdAt).toISOString(),
    expires_at: k.expiresAt === null ? null : new Date(k.expiresAt).toISOString(),
    revoked_at: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
    models: k.models,
    rpm: k.rpm,
    tpm: k.tpm,
    max_parallel: k.maxParallel,
    budget_usd: k.budgetNanos === null ? null : Number(k.budgetNanos) / 1e9,
    budget_period: k.budgetPeriod,
    metadata: k.metadata,
    previous_key_expires_at:
      k.revokedAt === null && k.previousExpiresAt !== null && k.previousExpiresAt > now
        ? new Date(k.previousExpiresAt).toISOString()
        : null,
  };
}
