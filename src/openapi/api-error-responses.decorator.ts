import { applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { ErrorScope } from '../common/errors/wire-codes.js';

/** Prefix of the operation extensions that carry error scopes until the document is built. */
export const ERROR_SCOPE_EXTENSION = 'x-tollgate-errors-';

/**
 * Documents the errors a route can answer with: for each scope, every code of WIRE_CODES
 * that can happen there, grouped by HTTP status, each status with the ErrorEnvelope schema,
 * the list of its codes and one example per code (`buildOpenApiDocument` writes them).
 * Scopes add up across the class and the method (and `@Auth()` adds its own), and every
 * route so documented also gets the codes that can happen anywhere (500, 503).
 *
 * ```ts
 * @ApiErrorResponses('request', 'fields', 'team-ref')   // POST /admin/keys
 * ```
 */
export function ApiErrorResponses(...scopes: ErrorScope[]): ClassDecorator & MethodDecorator {
  // One extension per scope: extensions set on a class and on its methods are merged by
  // name, so scopes from several decorators all survive.
  return applyDecorators(
    ...[...scopes, 'any' as const].map((scope) =>
      ApiExtension(`${ERROR_SCOPE_EXTENSION}${scope}`, true),
    ),
  );
}
