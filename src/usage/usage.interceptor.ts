import {
  Injectable,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Observable } from 'rxjs';
import type { RequestContext } from '../common/context/request-context.js';
import { UsageCollector } from './usage-collector.service.js';

/**
 * Where usage accounting starts: on the routes it is applied to (`@RecordUsage()`), a
 * request that passed auth is registered for exactly one usage row, written when its
 * response is over, whatever the outcome (validation error, upstream error, a client
 * that left, a stream cut short).
 */
@Injectable()
export class UsageInterceptor implements NestInterceptor {
  constructor(private readonly collector: UsageCollector) {}

  private readonly onEnd = (
    ctx: RequestContext,
    _req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ): void => this.collector.collect(ctx, body, res);

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = context.switchToHttp().getRequest<IncomingMessage>().tollgate;
    if (ctx?.identity) ctx.onEnd(this.onEnd);
    return next.handle();
  }
}

/** Every request to this route that passes auth gets exactly one usage row. */
export const RecordUsage = (): ClassDecorator & MethodDecorator =>
  UseInterceptors(UsageInterceptor);
