import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import {
  RECORD_USAGE,
  type CallerIdentity,
  type RequestContext,
} from '../common/context/request-context.js';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { AuthService } from './auth.service.js';

export const ADMIN_ONLY = 'tollgate:admin-only';

/**
 * The single place where the caller's identity is established: reads
 * `Authorization: Bearer <token>` and stores the identity on the request context.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<FastifyRequest>().raw;
    const ctx = req.tollgate;
    if (this.auth.disabled) {
      if (ctx) this.admit(ctx, { kind: 'anonymous', keyId: null }, context);
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
    const adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (adminOnly && identity.kind !== 'master') {
      throw new GatewayError(ErrorCode.Forbidden, 'This endpoint requires the master key.', {
        wireCode: 'master_key_required',
      });
    }
    if (ctx) this.admit(ctx, identity, context);
    return true;
  }

  /** From here on the request is the caller's: usage is recorded for it if the route says so. */
  private admit(ctx: RequestContext, identity: CallerIdentity, context: ExecutionContext): void {
    ctx.identity = identity;
    ctx.recordUsage =
      this.reflector.getAllAndOverride<boolean>(RECORD_USAGE, [
        context.getHandler(),
        context.getClass(),
      ]) === true;
  }
}

function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
