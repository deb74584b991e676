import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { RequestContext } from '../common/context/request-context.js';

/** Work every request does as soon as its context exists (e.g. opening its trace). */
export type RequestStartHandler = (ctx: RequestContext, req: IncomingMessage) => void;

/**
 * The handlers every request runs when it arrives, before anything can refuse it, in
 * registration order; the counterpart of `ResponseEndHooks`. Modules register their own
 * from `onModuleInit`, so the HTTP edge knows none of them.
 */
@Injectable()
export class RequestStartHooks {
  private readonly handlers: RequestStartHandler[] = [];

  register(handler: RequestStartHandler): void {
    this.handlers.push(handler);
  }

  run(ctx: RequestContext, req: IncomingMessage): void {
    for (const handler of this.handlers) handler(ctx, req);
  }
}
