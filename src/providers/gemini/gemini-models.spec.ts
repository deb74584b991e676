import { jsonFixture } from '../../../test/support/fixtures.js';
import { geminiModelPath, parseGeminiModelsPage } from './gemini-models.js';

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
    ['odd name?x', 'models/odd%20name%3Fx'],
  ])('%s → %s', (model, path) => {
    expect(geminiModelPath(model)).toBe(path);
  });
});
