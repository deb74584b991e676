import { GatewayError } from '../../common/errors/gateway-error.js';
import { fixture } from '../../../test/support/fixtures.js';
import { modelsPageUrl, parseModelsPage } from './anthropic-models.js';

describe('model discovery pages', () => {
  it('asks for the largest page, continuing after the last id', () => {
    expect(modelsPageUrl('https://api.anthropic.com')).toBe(
      'https://api.anthropic.com/v1/models?limit=1000',
    );
    expect(modelsPageUrl('https://api.anthropic.com', 'claude-x 1')).toBe(
      'https://api.anthropic.com/v1/models?limit=1000&after_id=claude-x%201',
    );
  });

  it('reads ids and the next after_id while has_more is true', () => {
    expect(parseModelsPage(fixture('anthropic/models-page-1.json'), 'anthropic')).toEqual({
      ids: ['claude-opus-4-1-20250805', 'claude-sonnet-4-5-20250929'],
      nextAfterId: 'claude-sonnet-4-5-20250929',
    });
    expect(parseModelsPage(fixture('anthropic/models-page-2.json'), 'anthropic')).toEqual({
      ids: ['claude-haiku-4-5-20251001'],
    });
  });

  it('refuses a body that is not a model list', () => {
    expect(() => parseModelsPage('{"models":[]}', 'anthropic')).toThrow(GatewayError);
    expect(() => parseModelsPage('<html>', 'anthropic')).toThrow(GatewayError);
  });
});
