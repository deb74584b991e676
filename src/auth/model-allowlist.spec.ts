import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { assertModelAllowed, modelAllowed } from './model-allowlist.js';

describe('model allowlist', () => {
  it('matches the routed provider/model or the bare upstream model id, exactly', () => {
    expect(modelAllowed(['openai/gpt-4o'], 'openai', 'gpt-4o')).toBe(true);
    expect(modelAllowed(['gpt-4o'], 'openai', 'gpt-4o')).toBe(true);
    expect(modelAllowed(['gpt-4o'], 'azure', 'gpt-4o')).toBe(true);
    expect(modelAllowed(['openai/gpt-4o'], 'azure', 'gpt-4o')).toBe(false);
    expect(modelAllowed(['gpt-4o'], 'openai', 'gpt-4o-mini')).toBe(false);
    expect(modelAllowed(['gpt-4o'], 'openai', 'gpt-4o-2024-08-06')).toBe(false);
  });

  it('treats a trailing * as a prefix wildcard on either form', () => {
    expect(modelAllowed(['openai/*'], 'openai', 'o3')).toBe(true);
    expect(modelAllowed(['openai/*'], 'groq', 'openai/gpt-oss-120b')).toBe(true);
    expect(modelAllowed(['gpt-4o*'], 'openai', 'gpt-4o-2024-08-06')).toBe(true);
    expect(modelAllowed(['claude-*'], 'anthropic', 'claude-sonnet-4-5')).toBe(true);
    expect(modelAllowed(['*'], 'any', 'thing')).toBe(true);
    expect(modelAllowed(['openai/*'], 'anthropic', 'claude-sonnet-4-5')).toBe(false);
  });

  it('refuses with a 403 naming the model; no allowlist allows everything', () => {
    expect(() =>
      assertModelAllowed({ kind: 'key', keyId: 'k', models: undefined }, 'openai', 'o3'),
    ).not.toThrow();
    expect(() => assertModelAllowed({ kind: 'master', keyId: null }, 'openai', 'o3')).not.toThrow();
    let err: unknown;
    try {
      assertModelAllowed({ kind: 'key', keyId: 'k', models: ['gpt-4o-mini'] }, 'openai', 'o3');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({
      code: ErrorCode.Forbidden,
      param: 'model',
      wireCode: 'model_not_allowed',
      message: "This API key is not allowed to use the model 'openai/o3'.",
    });
  });
});
