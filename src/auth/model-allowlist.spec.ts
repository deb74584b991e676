import fc from 'fast-check';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { assertModelAllowed, modelAllowed, type AllowlistTarget } from './model-allowlist.js';

const named = (provider: string, model: string): AllowlistTarget => ({
  provider,
  model,
  catalogRouted: false,
});
const byCatalog = (provider: string, model: string): AllowlistTarget => ({
  provider,
  model,
  catalogRouted: true,
});

describe('model allowlist', () => {
  it('provider/model entries match that provider instance and upstream id only', () => {
    expect(modelAllowed(['openai/gpt-4o'], named('openai', 'gpt-4o'))).toBe(true);
    expect(modelAllowed(['openai/gpt-4o'], byCatalog('openai', 'gpt-4o'))).toBe(true);
    expect(modelAllowed(['openai/gpt-4o'], named('azure', 'gpt-4o'))).toBe(false);
    expect(modelAllowed(['openai/gpt-4o'], named('openai', 'gpt-4o-2024-08-06'))).toBe(false);
  });

  it('a trailing * is a prefix match on the upstream id, within the named provider', () => {
    expect(modelAllowed(['openai/*'], named('openai', 'o3'))).toBe(true);
    expect(
      modelAllowed(['anthropic/claude-3-5-haiku*'], named('anthropic', 'claude-3-5-haiku-latest')),
    ).toBe(true);
    expect(
      modelAllowed(['anthropic/claude-3-5-haiku*'], named('anthropic', 'claude-sonnet-4-5')),
    ).toBe(false);
    expect(modelAllowed(['openai/*'], named('anthropic', 'claude-sonnet-4-5'))).toBe(false);
  });

  it('does not let an upstream id that looks like provider/model pass for that provider', () => {
    // Groq's and OpenRouter's own ids start with "openai/": they are not the openai instance.
    expect(modelAllowed(['openai/*'], named('groq', 'openai/gpt-oss-120b'))).toBe(false);
    expect(modelAllowed(['openai/*'], named('openrouter', 'openai/gpt-4o'))).toBe(false);
    expect(modelAllowed(['openai/*'], byCatalog('openrouter', 'openai/gpt-4o'))).toBe(false);
    expect(modelAllowed(['openai/gpt-4o'], named('gemini', 'openai/gpt-4o'))).toBe(false);
    // A provider name that starts with another one is a different instance.
    expect(modelAllowed(['openai/*'], named('openai-team-b', 'gpt-4o'))).toBe(false);
    expect(modelAllowed(['openrouter/openai/*'], named('openrouter', 'openai/gpt-4o'))).toBe(true);
  });

  it('bare entries match only targets the catalog routed by their bare name', () => {
    expect(modelAllowed(['gpt-4o-mini'], byCatalog('openai', 'gpt-4o-mini'))).toBe(true);
    expect(modelAllowed(['claude-*'], byCatalog('anthropic', 'claude-sonnet-4-5'))).toBe(true);
    // The caller chose the provider (hint, prefix or an alias naming one): no match.
    expect(modelAllowed(['gpt-4o-mini'], named('openai', 'gpt-4o-mini'))).toBe(false);
    expect(modelAllowed(['gpt-4o-mini'], named('groq', 'gpt-4o-mini'))).toBe(false);
    expect(modelAllowed(['openai*'], named('groq', 'openai/gpt-oss-120b'))).toBe(false);
    expect(modelAllowed(['gpt-4o'], byCatalog('openai', 'gpt-4o-mini'))).toBe(false);
  });

  it('* alone admits everything; an inner * is literal', () => {
    expect(modelAllowed(['*'], named('any', 'thing'))).toBe(true);
    expect(modelAllowed(['*/gpt-4o'], named('openai', 'gpt-4o'))).toBe(false);
    expect(modelAllowed(['open*/gpt-4o'], named('openai', 'gpt-4o'))).toBe(false);
  });

  it('refuses with a 403 naming the target; no allowlist allows everything', () => {
    expect(() =>
      assertModelAllowed({ kind: 'key', keyId: 'k', models: undefined }, named('openai', 'o3')),
    ).not.toThrow();
    expect(() =>
      assertModelAllowed({ kind: 'master', keyId: null }, named('openai', 'o3')),
    ).not.toThrow();
    let err: unknown;
    try {
      assertModelAllowed(
        { kind: 'key', keyId: 'k', models: ['gpt-4o-mini'] },
        named('openai', 'o3'),
      );
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

  it("applies the team's list as well as the key's: a target must fit both", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), (keyAllows, teamAllows) => {
        const target = named('openai', 'o3');
        const identity = {
          kind: 'key' as const,
          keyId: 'k',
          models: keyAllows ? ['openai/*'] : ['anthropic/*'],
          teamId: 't',
          teamModels: teamAllows ? ['openai/o3'] : ['openai/gpt-4o'],
        };
        let thrown: unknown;
        try {
          assertModelAllowed(identity, target);
        } catch (e) {
          thrown = e;
        }
        expect(thrown === undefined).toBe(keyAllows && teamAllows);
        if (keyAllows && !teamAllows) {
          expect((thrown as Error).message).toBe(
            "This API key's team is not allowed to use the model 'openai/o3'.",
          );
        }
      }),
    );
  });
});
