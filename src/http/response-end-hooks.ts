import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext, RequestEndHandler } from '../common/context/request-context.js';

/**
 * The end-of-response handlers every request runs, in registration order, followed by
 * those the request registered itself (`ctx.onEnd`, e.g. its usage row). Each module
 * registers its own from `onModuleInit` (the request log, metrics), so the HTTP edge
 * knows none of them.
 */
@Injectable()
export class ResponseEndHooks {
  private readonly handlers: RequestEndHandler[] = [];

  register(handler: RequestEndHandler): void {
    this.handlers.push(handler);
  }

  run(ctx: RequestContext, req: IncomingMessage, res: ServerResponse): void {
    const body = (req as { body?: unknown }).body;
    for (const handler of this.handlers) handler(ctx, req, res, body);
    if (ctx.endHandlers) for (const handler of ctx.endHandlers) handler(ctx, req, res, body);
  }
}
