import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { AUTH_POLICY, type AuthPolicy } from './auth.decorator.js';
import { AuthService } from './auth.service.js';

/**
 * The single place where the caller's identity is established (registered globally as
 * `APP_GUARD`): reads `Authorization: Bearer <token>`, applies the route's policy
 * (`@Auth`, `@MetricsAuth`, `@Public`; none means a valid key) and stores the identity
 * on the request context. It runs before the body is read.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
    @Inject(TOLLGATE_CONFIG) private readonly config: TollgateConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy =
      this.reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'key';
    if (policy === 'public' || (policy === 'metrics' && this.config.metricsPublic)) return true;
    const req = context.switchToHttp().getRequest<IncomingMessage>();
    const ctx = req.tollgate;
    if (this.auth.disabled) {
      if (ctx) ctx.identity = { kind: 'anonymous', keyId: null };
      return true;
    }
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) {
      throw new GatewayError(
        ErrorCode.Unauthorized,
        'You did not provide an API key. Send it as "Authorization: Bearer <key>".',
        { wireCode: 'missing_api_key' },
      );
    }
    const identity = await this.auth.authenticate(token);
    if (!identity) {
      throw new GatewayError(ErrorCode.Unauthorized, 'Incorrect API key provided.', {
        wireCode: 'invalid_api_key',
      });
    }
    if (policy !== 'key' && identity.kind !== 'master') {
      throw new GatewayError(ErrorCode.Forbidden, 'This endpoint requires the master key.', {
        wireCode: 'master_key_required',
      });
    }
    if (ctx) ctx.identity = identity;
    return true;
  }
}

function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
