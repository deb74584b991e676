import { ErrorCode, GatewayError } from '../../common/errors/gateway-error.js';

/** Anthropic's largest page size for `GET /v1/models`. */
export const MODELS_PAGE_LIMIT = 1000;

/** The URL of one page of `GET /v1/models`; `afterId` is the previous page's `last_id`. */
export function modelsPageUrl(baseUrl: string, afterId?: string): string {
  const after = afterId ? `&after_id=${encodeURIComponent(afterId)}` : '';
  return `${baseUrl}/v1/models?limit=${MODELS_PAGE_LIMIT}${after}`;
}

export interface ModelsPage {
  ids: string[];
  /** Set when Anthropic has more: the `after_id` for the next page. */
  nextAfterId?: string;
}

/** One page of `{data:[{id,…}], has_more, first_id, last_id}`. */
export function parseModelsPage(text: string, provider: string): ModelsPage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const page = json as { data?: unknown; has_more?: unknown; last_id?: unknown } | undefined;
  if (typeof page !== 'object' || page === null || !Array.isArray(page.data)) {
    throw new GatewayError(
      ErrorCode.UpstreamInvalidResponse,
      `The upstream provider '${provider}' returned a model list in an unexpected shape.`,
    );
  }
  const ids = (page.data as Array<{ id?: unknown }>)
    .map((m) => m?.id)
    .filter((id): id is string => typeof id === 'string' && id !== '');
  const more = page.has_more === true && typeof page.last_id === 'string' && page.last_id !== '';
  return more ? { ids, nextAfterId: page.last_id as string } : { ids };
}
