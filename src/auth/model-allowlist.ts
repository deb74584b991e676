import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import type { CallerIdentity } from '../common/context/request-context.js';

/**
 * Whether an allowlist admits a routed model. Checked after routing, so aliases and
 * provider hints cannot get around it. An entry matches the full `provider/model` id or
 * the bare upstream model id, exactly; an entry ending in `*` matches any id (full or
 * bare) starting with what precedes it: `openai/*`, `gpt-4o*`, `*`.
 */
export function modelAllowed(
  allowlist: readonly string[],
  provider: string,
  model: string,
): boolean {
  const full = `${provider}/${model}`;
  return allowlist.some((entry) => {
    if (entry.endsWith('*')) {
      const prefix = entry.slice(0, -1);
      return full.startsWith(prefix) || model.startsWith(prefix);
    }
    return entry === full || entry === model;
  });
}

/** Throws a 403 when the caller's key may not use this model. */
export function assertModelAllowed(
  identity: CallerIdentity | undefined,
  provider: string,
  model: string,
): void {
  const allowlist = identity?.models;
  if (!allowlist || modelAllowed(allowlist, provider, model)) return;
  throw new GatewayError(
    ErrorCode.Forbidden,
    `This API key is not allowed to use the model '${provider}/${model}'.`,
    { param: 'model', wireCode: 'model_not_allowed' },
  );
}
