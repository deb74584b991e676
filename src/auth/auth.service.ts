import { Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import type { CallerIdentity, LimitScope } from '../common/context/request-context.js';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { CLOCK, type Clock } from '../common/clock/clock.js';
import type { ApiKeyRecord } from './key.repository.js';
import { isManagedKey, KeyService, sha256 } from './key.service.js';
import { limitScope } from './limit-fields.js';
import type { TeamRecord } from './team.repository.js';
import { TeamService } from './team.service.js';

interface KeyLimits {
  team: TeamRecord | null;
  limits: readonly LimitScope[] | undefined;
}

/**
 * Turns a bearer token into a caller identity: the master key, else a managed key found
 * by its SHA-256 (through KeyService's short-lived cache). The master key comparison is
 * on SHA-256 digests with `timingSafeEqual`, so timing reveals neither key nor length.
 * An expired or revoked managed key is refused with its own message.
 */
@Injectable()
export class AuthService {
  private readonly masterDigest?: Buffer;
  readonly disabled: boolean;
  /** Limits per cached key record (and the team record they were made with). */
  private readonly limitsOf = new WeakMap<ApiKeyRecord, KeyLimits>();

  constructor(
    @Inject(TOLLGATE_CONFIG) config: TollgateConfig,
    private readonly keys: KeyService,
    private readonly teams: TeamService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.disabled = config.auth.mode === 'disabled';
    if (config.auth.mode === 'master') this.masterDigest = sha256(config.auth.masterKey);
  }

  async authenticate(token: string): Promise<CallerIdentity | null> {
    const digest = sha256(token);
    if (this.masterDigest && timingSafeEqual(digest, this.masterDigest)) {
      return { kind: 'master', keyId: null };
    }
    if (!isManagedKey(token)) return null;
    const hash = digest.toString('hex');
    const key = await this.keys.findByHash(hash);
    if (!key) return null;
    if (key.revokedAt !== null) {
      throw new GatewayError(ErrorCode.Unauthorized, 'This API key has been revoked.', {
        wireCode: 'api_key_revoked',
      });
    }
    const now = this.clock.now();
    // The secret a rotation replaced: accepted until the grace period stored with the key.
    if (key.previousKeyHash === hash && (key.previousExpiresAt ?? 0) <= now) {
      throw new GatewayError(
        ErrorCode.Unauthorized,
        'This API key has been rotated; use the new key.',
        { wireCode: 'api_key_rotated' },
      );
    }
    if (key.expiresAt !== null && key.expiresAt <= now) {
      throw new GatewayError(ErrorCode.Unauthorized, 'This API key has expired.', {
        wireCode: 'api_key_expired',
      });
    }
    const team = key.teamId === null ? null : await this.teams.find(key.teamId);
    return {
      kind: 'key',
      keyId: key.id,
      keyName: key.name,
      models: key.models ?? undefined,
      teamId: team?.id,
      teamModels: team?.models ?? undefined,
      limits: this.limits(key, team),
    };
  }

  /** The key's and its team's limits, built once per cached key and team record. */
  private limits(key: ApiKeyRecord, team: TeamRecord | null): readonly LimitScope[] | undefined {
    const known = this.limitsOf.get(key);
    if (known && known.team === team) return known.limits;
    const scopes = [limitScope('key', key.id, key), team && limitScope('team', team.id, team)];
    const present = scopes.filter((s): s is LimitScope => s !== null);
    const limits = present.length > 0 ? present : undefined;
    this.limitsOf.set(key, { team, limits });
    return limits;
  }
}
