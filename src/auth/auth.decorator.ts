import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiErrorResponses } from '../openapi/api-error-responses.decorator.js';

/** Route metadata read by the global BearerAuthGuard; a route without it needs a valid key. */
export const AUTH_POLICY = 'tollgate:auth-policy';

/**
 * - `key`: any valid key (managed or master);
 * - `admin`: the master key only;
 * - `metrics`: the master key, or no one at all when METRICS_PUBLIC=true;
 * - `public`: no credentials.
 */
export type AuthPolicy = 'key' | 'admin' | 'metrics' | 'public';

/**
 * Bearer auth in the OpenAPI document and the policy the global guard enforces, applied
 * together so they cannot drift. Metadata only: the guard itself is registered once, as
 * `APP_GUARD`.
 */
export function Auth(options: { admin?: boolean } = {}): ClassDecorator & MethodDecorator {
  return authPolicy(options.admin ? 'admin' : 'key');
}

/** `/metrics`: the master key unless METRICS_PUBLIC=true. */
export function MetricsAuth(): ClassDecorator & MethodDecorator {
  return authPolicy('metrics');
}

/** No credentials needed (health probes). */
export function Public(): ClassDecorator & MethodDecorator {
  return SetMetadata(AUTH_POLICY, 'public' satisfies AuthPolicy);
}

function authPolicy(policy: AuthPolicy): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(AUTH_POLICY, policy),
    ApiBearerAuth(),
    policy === 'key' ? ApiErrorResponses('auth') : ApiErrorResponses('auth', 'master'),
  );
}
