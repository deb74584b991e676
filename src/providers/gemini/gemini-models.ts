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

/**
 * The resource path of a model in generateContent URLs: `models/<id>`, or a tuned model's
 * own `tunedModels/<id>`. A client-sent `models/` prefix is not doubled.
 */
export function geminiModelPath(model: string): string {
  const name = model.startsWith('tunedModels/')
    ? model
    : `models/${model.replace(/^models\//, '')}`;
  return name.split('/').map(encodeURIComponent).join('/');
}
