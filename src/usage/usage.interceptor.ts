import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { finalize, type Observable } from 'rxjs';
import { UsageCollector } from './usage-collector.service.js';

/**
 * One usage row per request that passed auth, however it ends. Interceptors run after
 * guards and around pipes, so validation failures are counted and unauthenticated
 * requests are not. The row is taken when the response closes (finished or aborted),
 * after the exception filter and the stream relay have said their last word.
 */
@Injectable()
export class UsageInterceptor implements NestInterceptor {
  constructor(private readonly collector: UsageCollector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const ctx = req.tollgate;
    if (!ctx) return next.handle();
    let recorded = false;
    const recordOnce = (): void => {
      if (recorded) return;
      recorded = true;
      this.collector.collect(ctx, req.body, res);
    };
    if (ctx.clientGone) {
      // The connection closed while the guard ran: no close event is coming.
      return next.handle().pipe(finalize(recordOnce));
    }
    res.once('close', recordOnce);
    return next.handle();
  }
}
