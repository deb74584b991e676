import type { IncomingMessage } from 'node:http';

/** The path the request-context middleware is bound to: every request. */
export const EVERY_PATH = '*path';

/**
 * The route pattern that handled this request (`/v1/models/*id`), as the platform
 * matched it; undefined when no handler matched (404, refused before routing). The
 * patterns are the application's own, so they form a fixed set. The platform reports
 * the middleware's catch-all for a request no handler took: that is no match.
 */
export function matchedRoute(req: IncomingMessage): string | undefined {
  const path = (req as { route?: { path?: unknown } }).route?.path;
  return typeof path === 'string' && path !== `/${EVERY_PATH}` ? path : undefined;
}
