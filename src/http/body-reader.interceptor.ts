import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { from, switchMap, type Observable } from 'rxjs';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { hasBody, MAX_JSON_DEPTH, readJsonBody, type BodyLimits } from './body-reader.js';

/**
 * Reads the request body after the guard has admitted the caller (interceptors run after
 * guards), so an unauthenticated request costs no body reading or parsing: its 401 goes
 * out with `connection: close` and the unread body is never buffered.
 */
@Injectable()
export class BodyReaderInterceptor implements NestInterceptor {
  private readonly limits: BodyLimits;

  constructor(@Inject(TOLLGATE_CONFIG) config: TollgateConfig) {
    this.limits = {
      limitBytes: config.bodyLimitBytes,
      timeoutMs: config.bodyTimeoutMs,
      maxDepth: MAX_JSON_DEPTH,
    };
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<IncomingMessage & { body?: unknown }>();
    if (req.body !== undefined || !hasBody(req)) return next.handle();
    const startedAt = req.tollgate?.startedAt ?? performance.now();
    return from(readJsonBody(req, startedAt, this.limits)).pipe(
      switchMap((body) => {
        req.body = body;
        return next.handle();
      }),
    );
  }
}
