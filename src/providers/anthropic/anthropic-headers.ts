import type { ProviderConfig } from '../../config/config.js';

export const ANTHROPIC_VERSION = '2023-06-01';

type HeaderValue = string | string[] | undefined;

/**
 * Headers for an Anthropic call: the provider's static headers, the key as `x-api-key`,
 * the pinned `anthropic-version`, and `anthropic-beta` passed on from the client (joined
 * with any configured one) so clients can opt in to beta features through the gateway.
 */
export function anthropicHeaders(
  config: Pick<ProviderConfig, 'apiKey' | 'headers'>,
  clientHeaders: Record<string, HeaderValue> = {},
  json = true,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers)) out[name.toLowerCase()] = value;
  if (config.apiKey) out['x-api-key'] = config.apiKey;
  out['anthropic-version'] = ANTHROPIC_VERSION;
  if (json) out['content-type'] = 'application/json';
  const betas = betaList(out['anthropic-beta'], clientHeaders['anthropic-beta']);
  if (betas.length > 0) out['anthropic-beta'] = betas.join(',');
  else delete out['anthropic-beta'];
  return out;
}

function betaList(...values: HeaderValue[]): string[] {
  const all = values
    .flatMap((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return [...new Set(all)];
}
