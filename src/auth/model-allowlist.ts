import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import type { CallerIdentity } from '../common/context/request-context.js';

/** What a request was routed to: the one thing the allowlist is checked against. */
export interface AllowlistTarget {
  /** The provider instance name that will serve it. */
  provider: string;
  /** The upstream model id it will be asked for (canonical for that provider). */
  model: string;
  /**
   * True when the caller named no provider (no `provider` field, no `provider/` prefix,
   * no alias naming one) and the catalog picked the only provider listing the bare name.
   */
  catalogRouted: boolean;
}

/**
 * Whether an allowlist admits a routed target. It is checked after routing, on the
 * provider instance and upstream model id the request will reach, so no `provider` hint,
 * alias or spelling of the model can reach another target. Entries:
 *
 * - `*` admits everything.
 * - An entry containing `/` is `provider/model`: everything before the first `/` is a
 *   provider instance name (names cannot contain `/`), compared exactly; the rest is
 *   compared with the upstream model id, exactly, or as a prefix when the entry ends in
 *   `*`. `openai/*` is every model of the instance `openai` (not `openai-team-b`, not
 *   Groq's `openai/gpt-oss-120b`); OpenRouter's `openai/gpt-4o` is
 *   `openrouter/openai/gpt-4o` or `openrouter/openai/*`.
 * - An entry without `/` is a bare model name (`gpt-4o-mini`, `claude-*`): it admits only
 *   requests the catalog routed by that bare name (see `catalogRouted`), never a request
 *   whose provider the caller chose, so it cannot be used to reach a provider the
 *   configuration would not have picked.
 *
 * A `*` anywhere but at the end is literal (and so matches nothing real).
 */
export function modelAllowed(allowlist: readonly string[], target: AllowlistTarget): boolean {
  return allowlist.some((entry) => {
    if (entry === '*') return true;
    const slash = entry.indexOf('/');
    if (slash < 0) return target.catalogRouted && matches(entry, target.model);
    return (
      entry.slice(0, slash) === target.provider && matches(entry.slice(slash + 1), target.model)
    );
  });
}

function matches(pattern: string, model: string): boolean {
  return pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : pattern === model;
}

/** Throws a 403 when the caller's key, or the team it belongs to, may not use this target. */
export function assertModelAllowed(
  identity: CallerIdentity | undefined,
  target: AllowlistTarget,
): void {
  const allowlist = identity?.models;
  if (allowlist && !modelAllowed(allowlist, target)) throw notAllowed('This API key', target);
  const teamList = identity?.teamModels;
  if (teamList && !modelAllowed(teamList, target)) throw notAllowed("This API key's team", target);
}

function notAllowed(who: string, target: AllowlistTarget): GatewayError {
  return new GatewayError(
    ErrorCode.Forbidden,
    `${who} is not allowed to use the model '${target.provider}/${target.model}'.`,
    { param: 'model', wireCode: 'model_not_allowed' },
  );
}
