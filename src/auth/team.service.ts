import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../common/clock/clock.js';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { periodStart } from '../limits/budget-period.js';
import { LOGGER } from '../logging/logging.module.js';
import { RedisService } from '../redis/redis.service.js';
import { isStorageUnavailable, STORAGE_UNAVAILABLE_MESSAGE } from '../storage/storage-errors.js';
import { nanosToUsd } from '../usage/pricing.js';
import { UsageRepository } from '../usage/usage.repository.js';
import type { CreateTeamDto, UpdateTeamDto } from './dto/create-team.dto.js';
import type { TeamDto, TeamListDto, TeamWithSpendDto } from './dto/team.dto.js';
import { KeyRepository } from './key.repository.js';
import { KEY_CACHE_OPTIONS, DEFAULT_KEY_CACHE, type KeyCacheOptions } from './key.service.js';
import { limitChanges, notNull } from './limit-fields.js';
import { TeamRepository, type TeamRecord } from './team.repository.js';

/** Redis channel on which replicas announce a changed or deleted team id. */
export const TEAM_CHANGED_CHANNEL = 'tollgate:teams:changed';
const STORAGE_RETRY_MS = 1_000;

interface CacheEntry {
  team: TeamRecord | null;
  expiresAt: number;
}

/**
 * Teams: the admin API, and the lookup behind every request of a key that belongs to one.
 * Teams are cached like keys (same TTL, 5 s): the hot path reads a map. A change is
 * published on Redis and every replica evicts the team at once; without Redis it is seen
 * within the TTL. While the database is unreachable a team seen before keeps its entry.
 */
@Injectable()
export class TeamService implements OnModuleInit {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<TeamRecord | null>>();
  private generation = 0;
  private storageDownUntil = 0;
  private readonly ttlMs: number;

  constructor(
    private readonly repository: TeamRepository,
    private readonly keys: KeyRepository,
    private readonly usage: UsageRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(KEY_CACHE_OPTIONS) options?: KeyCacheOptions,
    @Optional() private readonly redis?: RedisService,
  ) {
    this.ttlMs = options?.ttlMs ?? DEFAULT_KEY_CACHE.ttlMs;
  }

  onModuleInit(): void {
    if (!this.redis) return;
    this.redis.onReconnect(() => this.expireAll());
    this.redis.subscribe(TEAM_CHANGED_CHANNEL, (id) => this.evict(id));
  }

  async create(dto: CreateTeamDto): Promise<TeamDto> {
    const team: TeamRecord = {
      id: this.ids.next('team'),
      name: dto.name,
      createdAt: this.clock.now(),
      models: null,
      rpm: null,
      tpm: null,
      maxParallel: null,
      budgetNanos: null,
      budgetPeriod: null,
      metadata: null,
      ...limitChanges(dto, undefined),
    };
    await this.repository.insert(team);
    return toTeamDto(team);
  }

  async list(limit: number, offset: number): Promise<TeamListDto> {
    const now = this.clock.now();
    const { teams, total } = await this.repository.list(limit, offset);
    const data = await Promise.all(
      teams.map(async (t): Promise<TeamWithSpendDto> => {
        const from = periodStart(t.budgetPeriod ?? 'total', now);
        const spent = await this.usage.sumCost({ teamId: t.id, from });
        return {
          ...toTeamDto(t),
          spend_usd: nanosToUsd(spent),
          period_start: from === 0 ? null : new Date(from).toISOString(),
        };
      }),
    );
    return { data, total };
  }

  async get(id: string): Promise<TeamDto> {
    return toTeamDto(await this.existing(id));
  }

  async update(id: string, dto: UpdateTeamDto): Promise<TeamDto> {
    const current = await this.existing(id);
    const team = await this.repository.update(id, {
      name: notNull(dto.name, 'name'),
      ...limitChanges(dto, current),
    });
    if (!team) throw teamNotFound(id);
    await this.announce(id);
    return toTeamDto(team);
  }

  /** 409 while keys (not revoked) belong to the team. */
  async delete(id: string): Promise<TeamDto> {
    const team = await this.existing(id);
    const members = await this.keys.countActiveInTeam(id);
    if (members > 0) {
      throw new GatewayError(
        ErrorCode.InvalidRequest,
        `Team '${id}' still has ${members} key(s); move or revoke them first.`,
        { status: 409, param: 'id', wireCode: 'team_not_empty' },
      );
    }
    await this.keys.detachRevokedFromTeam(id);
    await this.repository.delete(id);
    await this.announce(id);
    return toTeamDto(team);
  }

  /** Throws 404 unless the team exists (for keys naming it). */
  async existing(id: string): Promise<TeamRecord> {
    const team = await this.repository.findById(id);
    if (!team) throw teamNotFound(id);
    return team;
  }

  /**
   * The team for the hot path, from the cache when fresh. Null when it does not exist.
   * 503 when the database cannot say and the team was never seen.
   */
  async find(id: string): Promise<TeamRecord | null> {
    const now = this.clock.now();
    const hit = this.cache.get(id);
    if (hit && hit.expiresAt > now) return hit.team;
    if (now < this.storageDownUntil) {
      if (hit) return hit.team;
      throw new GatewayError(ErrorCode.ServiceUnavailable, STORAGE_UNAVAILABLE_MESSAGE, {
        retryAfter: '1',
      });
    }
    return this.inflight.get(id) ?? this.lookUp(id, now);
  }

  private lookUp(id: string, now: number): Promise<TeamRecord | null> {
    const generation = this.generation;
    const lookup = this.repository
      .findById(id)
      .then(
        (team) => {
          if (generation === this.generation) {
            if (this.cache.size >= 10_000) this.cache.clear();
            this.cache.set(id, { team: team ?? null, expiresAt: now + this.ttlMs });
          }
          return team ?? null;
        },
        (err: unknown) => {
          if (isStorageUnavailable(err))
            this.storageDownUntil = this.clock.now() + STORAGE_RETRY_MS;
          const stale = this.cache.get(id);
          if (stale) return stale.team;
          throw err;
        },
      )
      .finally(() => {
        if (this.inflight.get(id) === lookup) this.inflight.delete(id);
      });
    this.inflight.set(id, lookup);
    return lookup;
  }

  private async announce(id: string): Promise<void> {
    this.evict(id);
    if (this.redis && !(await this.redis.publish(TEAM_CHANGED_CHANNEL, id))) {
      this.logger.warn(
        { team_id: id, ttl_ms: this.ttlMs },
        'could not announce a team change; other replicas see it once their cache expires',
      );
    }
  }

  private evict(id: string): void {
    this.generation++;
    this.inflight.clear();
    this.cache.delete(id);
  }

  private expireAll(): void {
    this.generation++;
    this.inflight.clear();
    for (const entry of this.cache.values()) entry.expiresAt = 0;
  }
}

function teamNotFound(id: string): GatewayError {
  return new GatewayError(ErrorCode.NotFound, `No team with id '${id}'.`, {
    param: 'id',
    wireCode: 'team_not_found',
  });
}

export function toTeamDto(t: TeamRecord): TeamDto {
  return {
    id: t.id,
    object: 'team',
    name: t.name,
    created_at: new Date(t.createdAt).toISOString(),
    models: t.models,
    rpm: t.rpm,
    tpm: t.tpm,
    max_parallel: t.maxParallel,
    budget_usd: t.budgetNanos === null ? null : Number(t.budgetNanos) / 1e9,
    budget_period: t.budgetPeriod,
    metadata: t.metadata,
  };
}
