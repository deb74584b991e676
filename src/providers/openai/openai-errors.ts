import { readErrorBody, type UpstreamErrorDetails } from '../../common/http/upstream-errors.js';

/**
 * Reads an OpenAI-family error body. OpenAI and most compatible servers send
 * `{"error":{"message","type","param","code"}}`; some send `{"error":"text"}`,
 * `{"message":…}` or `{"detail":…}` (vLLM, FastAPI-based servers), or plain text.
 */
export function parseOpenAIError(bodyText: string): UpstreamErrorDetails {
  const body = readErrorBody(bodyText);
  if (!('json' in body)) return body;
  const json = body.json;
  if (typeof json !== 'object' || json === null) return {};
  const o = json as Record<string, unknown>;
  const err = o.error;
  if (typeof err === 'string') return { message: err };
  if (typeof err === 'object' && err !== null) {
    const e = err as Record<string, unknown>;
    return {
      message: typeof e.message === 'string' ? e.message : undefined,
      type: typeof e.type === 'string' ? e.type : undefined,
      code:
        typeof e.code === 'string' ? e.code : typeof e.code === 'number' ? String(e.code) : null,
      param: typeof e.param === 'string' ? e.param : null,
    };
  }
  if (typeof o.message === 'string') return { message: o.message };
  if (typeof o.detail === 'string') return { message: o.detail };
  return {};
}
