import { jsonFixture } from '../../../test/support/fixtures.js';
import { ErrorCode } from '../../common/errors/gateway-error.js';
import { canonicalGeminiModel, geminiModelPath, parseGeminiModelsPage } from './gemini-models.js';

describe('parseGeminiModelsPage', () => {
  it('keeps generateContent models without the models/ prefix and returns the next page token', () => {
    expect(parseGeminiModelsPage(jsonFixture('gemini/models-page-1.json'))).toEqual({
      models: ['gemini-2.5-flash', 'gemini-2.5-pro'],
      nextPageToken: 'Ch5tb2RlbHMvZ2VtaW5pLTIuNS1wcm8tcGFnZS10d28',
    });
    expect(parseGeminiModelsPage(jsonFixture('gemini/models-page-2.json'))).toEqual({
      models: ['gemini-3-pro-preview', 'gemma-3-27b-it'],
    });
  });

  it('copes with empty or odd pages', () => {
    expect(parseGeminiModelsPage({})).toEqual({ models: [] });
    expect(parseGeminiModelsPage(null)).toEqual({ models: [] });
    expect(parseGeminiModelsPage({ models: [{ name: 'models/x' }], nextPageToken: '' })).toEqual({
      models: [],
    });
  });
});

describe('geminiModelPath', () => {
  it.each([
    ['gemini-2.5-flash', 'models/gemini-2.5-flash'],
    ['models/gemini-2.5-flash', 'models/gemini-2.5-flash'],
    ['tunedModels/my-tuned-1', 'tunedModels/my-tuned-1'],
    ['models/tunedModels/my-tuned-1', 'tunedModels/my-tuned-1'],
  ])('%s → %s', (model, path) => {
    expect(geminiModelPath(model)).toBe(path);
  });

  it.each([
    'odd name?x',
    'openai/../gemini-2.5-pro',
    '../../../../evil',
    'openai/gemini-2.5-pro',
    'models/../evil',
    'tunedModels/../x',
    'tunedModels/a/b',
    'models/',
    '..',
    '.hidden',
    '%2e%2e',
    'gemini-2.5-pro:streamGenerateContent',
    'gemini\u00a0pro',
    'gemini-2.5-pro\u0000',
  ])('refuses %j with a 400 invalid_model: it would change the URL path', (model) => {
    let err: unknown;
    try {
      geminiModelPath(model);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: ErrorCode.InvalidRequest,
      param: 'model',
      wireCode: 'invalid_model',
    });
  });
});

describe('canonicalGeminiModel', () => {
  it('drops a models/ prefix so both spellings are one model', () => {
    expect(canonicalGeminiModel('models/gemini-2.5-pro')).toBe('gemini-2.5-pro');
    expect(canonicalGeminiModel('gemini-2.5-pro')).toBe('gemini-2.5-pro');
    expect(canonicalGeminiModel('tunedModels/t-1')).toBe('tunedModels/t-1');
  });
});
