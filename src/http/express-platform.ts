import { ExpressAdapter } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import type { TollgateConfig } from '../config/config.js';

/**
 * Nest's express adapter, set up for an API gateway: no ETag hashing of every response,
 * no `x-powered-by`, no body parser (bodies are read after authentication, see
 * BodyReaderInterceptor), server timeouts from configuration, and a hook that lets the
 * graceful drain run before the server stops listening.
 */
export class GatewayExpressAdapter extends ExpressAdapter {
  private readonly beforeCloseHandlers: Array<() => Promise<void>> = [];

  constructor(private readonly config: TollgateConfig) {
    super();
    this.disable('etag');
    this.disable('x-powered-by');
  }

  /** Work to finish before the server closes (the drain). */
  onBeforeClose(handler: () => Promise<void>): void {
    this.beforeCloseHandlers.push(handler);
  }

  // Nest awaits this (its `prepareClose`), first thing at shutdown, before any module's
  // destroy hook closes upstream pools or storage: the one place a drain can run.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  override beforeClose(): void | Promise<void> {
    super.beforeClose();
    return Promise.all(this.beforeCloseHandlers.map((h) => h())).then(() => undefined);
  }

  override initHttpServer(options: Parameters<ExpressAdapter['initHttpServer']>[0]): void {
    super.initHttpServer(options);
    const server = this.getHttpServer() as Server;
    // Keep-alive above common load-balancer idle timeouts (60 s), so the LB closes first.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    // A backstop for bodies nobody reads: the body reader answers 408 itself first.
    server.requestTimeout = this.config.bodyTimeoutMs + 1_000;
  }
}
