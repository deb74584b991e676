import { Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import type { CallerIdentity } from '../common/context/request-context.js';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { CLOCK, type Clock } from '../common/clock/clock.js';
import { isManagedKey, KeyService, sha256 } from './key.service.js';

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

  constructor(
    @Inject(TOLLGATE_CONFIG) config: TollgateConfig,
    private readonly keys: KeyService,
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
    const key = await this.keys.findByHash(digest.toString('hex'));
    if (!key) return null;
    if (key.revokedAt !== null) {
      throw new GatewayError(ErrorCode.Unauthorized, 'This API key has been revoked.', {
        wireCode: 'api_key_revoked',
      });
    }
    if (key.expiresAt !== null && key.expiresAt <= this.clock.now()) {
      throw new GatewayError(ErrorCode.Unauthorized, 'This API key has expired.', {
        wireCode: 'api_key_expired',
      });
    }
    return {
      kind: 'key',
      keyId: key.id,
      keyName: key.name,
      models: key.models ?? undefined,
    };
  }
}
