import { checkUpstreamModelId, invalidModel } from '../upstream-model-id.js';
import type { GeminiModelList } from './gemini.types.js';

/**
 * One `GET /v1beta/models` page → the ids of models that can serve chat (those listing
 * `generateContent`; embedding, AQA and Imagen models do not), without the `models/`
 * prefix, plus the token of the next page.
 */
export function parseGeminiModelsPage(json: unknown): { models: string[]; nextPageToken?: string } {
  if (typeof json !== 'object' || json === null) return { models: [] };
  const page = json as GeminiModelList;
  const models = (Array.isArray(page.models) ? page.models : [])
    .filter(
      (m) =>
        Array.isArray(m.supportedGenerationMethods) &&
        m.supportedGenerationMethods.includes('generateContent'),
    )
    .map((m) => m.name)
    .filter((name): name is string => typeof name === 'string' && name !== '')
    .map((name) => name.replace(/^models\//, ''));
  const token = page.nextPageToken;
  return typeof token === 'string' && token !== '' ? { models, nextPageToken: token } : { models };
}

/** One Gemini model (or tuned model) name: what Google's ids are made of, nothing more. */
const GEMINI_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const TUNED = 'tunedModels/';

/**
 * The canonical Gemini model id of a routed model: `<name>` (a client-sent `models/`
 * prefix dropped, so `models/x` and `x` are one model to the allowlist and to pricing) or
 * a tuned model's `tunedModels/<name>`. Gemini puts the model in the URL path, so
 * anything else, including any further `/`, is refused (400 `invalid_model`).
 */
export function canonicalGeminiModel(model: string): string {
  checkUpstreamModelId(model);
  const id = model.startsWith('models/') ? model.slice('models/'.length) : model;
  const name = id.startsWith(TUNED) ? id.slice(TUNED.length) : id;
  if (!GEMINI_NAME.test(name)) {
    throw invalidModel(
      model,
      'a Gemini model is a name of letters, digits, ".", "_" and "-" (optionally models/<name> or tunedModels/<name>)',
    );
  }
  return id;
}

/**
 * The resource path of a model in generateContent URLs: `models/<name>`, or a tuned
 * model's own `tunedModels/<name>`, the name encoded as one path segment.
 */
export function geminiModelPath(model: string): string {
  const id = canonicalGeminiModel(model);
  return id.startsWith(TUNED)
    ? `tunedModels/${encodeURIComponent(id.slice(TUNED.length))}`
    : `models/${encodeURIComponent(id)}`;
}
