import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import type { CallerIdentity } from '../common/context/request-context.js';

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Turns a bearer token into a caller identity. Comparison is on SHA-256 digests with
 * `timingSafeEqual`, so timing reveals neither the key nor its length.
 */
@Injectable()
export class AuthService {
  private readonly masterDigest?: Buffer;
  readonly disabled: boolean;

  constructor(@Inject(TOLLGATE_CONFIG) config: TollgateConfig) {
    this.disabled = config.auth.mode === 'disabled';
    if (config.auth.mode === 'master') this.masterDigest = sha256(config.auth.masterKey);
  }

  async authenticate(token: string): Promise<CallerIdentity | null> {
    if (this.masterDigest && timingSafeEqual(sha256(token), this.masterDigest)) {
      return { kind: 'master', keyId: null };
    }
    return null;
  }
}
