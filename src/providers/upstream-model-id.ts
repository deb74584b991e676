import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';

const SHOWN_CHARS = 80;

/**
 * Characters no upstream model id needs and that would mean something else in a URL or a
 * log line: C0/C1 controls and DEL, `?` and `#` (query, fragment), `%` (an escape the
 * upstream may decode into `/` or `.`), `\` (a path separator to some servers).
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f?#%\\]/;

/** The 400 for a model id an upstream cannot be asked for safely. */
export function invalidModel(model: string, why: string): GatewayError {
  const shown = JSON.stringify(
    model.length > SHOWN_CHARS ? `${model.slice(0, SHOWN_CHARS)}…` : model,
  );
  return new GatewayError(ErrorCode.InvalidRequest, `The model ${shown} is not valid: ${why}.`, {
    param: 'model',
    wireCode: 'invalid_model',
  });
}

/**
 * The checks every provider applies to a routed upstream model id, wherever the upstream
 * takes it (URL path or body): no control characters, `?`, `#`, `%` or `\`, and no empty,
 * `.` or `..` `/`-segment. Upstream ids that contain `/` (OpenRouter's `openai/gpt-4o`,
 * Hugging Face names on vLLM) keep working.
 */
export function checkUpstreamModelId(model: string): string {
  if (model === '') throw invalidModel(model, 'it is empty');
  if (FORBIDDEN.test(model)) {
    throw invalidModel(
      model,
      'model ids may not contain control characters, "?", "#", "%" or "\\"',
    );
  }
  for (const segment of model.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw invalidModel(model, 'model ids may not contain empty, "." or ".." path segments');
    }
  }
  return model;
}
