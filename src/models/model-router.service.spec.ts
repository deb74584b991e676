import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { loadConfig } from '../config/config.js';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import { ModelCatalog } from './model-catalog.service.js';
import { ModelRouter } from './model-router.service.js';
import { checkUpstreamModelId } from '../providers/upstream-model-id.js';

const fakeAdapter = (name: string, models: string[] | Error = []): ProviderAdapter => ({
  name,
  type: 'openai-compatible',
  upstreamModel: checkUpstreamModelId,
  complete: () => Promise.reject(new Error('not used')),
  stream: () => Promise.reject(new Error('not used')),
  listModels: () => (models instanceof Error ? Promise.reject(models) : Promise.resolve(models)),
});
const silentLogger = { warn: () => undefined } as unknown as Logger;

async function routerFor(
  env: Record<string, string>,
  discovered: Record<string, string[] | Error> = {},
) {
  const config = loadConfig({ TOLLGATE_AUTH: 'disabled', ...env });
  const registry = new ProviderRegistry(
    config.providers.map((p) => fakeAdapter(p.name, discovered[p.name])),
  );
  const catalog = new ModelCatalog(config, registry, silentLogger);
  await catalog.refresh();
  return new ModelRouter(config, registry, catalog);
}

function failure(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error('expected a GatewayError');
}

describe('ModelRouter', () => {
  const env = {
    OPENAI_API_KEY: 'k',
    OPENAI_MODELS: 'gpt-4o,gpt-4o-mini',
    GROQ_API_KEY: 'k',
    GROQ_MODELS: 'llama-3.1-8b-instant,gpt-4o',
    OPENROUTER_API_KEY: 'k',
    OPENROUTER_MODELS: 'anthropic/claude-sonnet-4,meta-llama/llama-3.3-70b',
  };

  it('routes provider/model to that provider, keeping any further slashes in the model', async () => {
    const r = await routerFor(env);
    expect(r.resolve('groq/llama-3.1-8b-instant')).toMatchObject({
      adapter: { name: 'groq' },
      model: 'llama-3.1-8b-instant',
    });
    expect(r.resolve('openrouter/anthropic/claude-sonnet-4')).toMatchObject({
      adapter: { name: 'openrouter' },
      model: 'anthropic/claude-sonnet-4',
      via: 'prefix',
    });
  });

  it('matches the prefix against configured provider names only', async () => {
    const r = await routerFor(env);
    // "anthropic" is not a configured provider here: the whole id is an OpenRouter model.
    expect(r.resolve('anthropic/claude-sonnet-4')).toMatchObject({
      adapter: { name: 'openrouter' },
      model: 'anthropic/claude-sonnet-4',
    });
  });

  it('routes a bare name served by exactly one provider', async () => {
    const r = await routerFor(env);
    expect(r.resolve('gpt-4o-mini')).toMatchObject({
      adapter: { name: 'openai' },
      model: 'gpt-4o-mini',
      via: 'catalog',
    });
  });

  it('refuses a bare name served by several providers, naming the choices', async () => {
    const r = await routerFor(env);
    const err = failure(() => r.resolve('gpt-4o'));
    expect(err.code).toBe(ErrorCode.ModelAmbiguous);
    expect(err.param).toBe('model');
    expect(err.message).toContain('openai/gpt-4o, groq/gpt-4o');
  });

  it('lets the provider hint decide, stripping a matching prefix', async () => {
    const r = await routerFor(env);
    expect(r.resolve('gpt-4o', 'groq')).toMatchObject({
      adapter: { name: 'groq' },
      model: 'gpt-4o',
      via: 'hint',
    });
    expect(r.resolve('groq/gpt-4o', 'groq')).toMatchObject({
      adapter: { name: 'groq' },
      model: 'gpt-4o',
    });
    // The hint is authoritative even for a model the catalog does not list.
    expect(r.resolve('brand-new-model', 'openai')).toMatchObject({
      adapter: { name: 'openai' },
      model: 'brand-new-model',
    });
    expect(failure(() => r.resolve('gpt-4o', 'nope'))).toMatchObject({
      code: ErrorCode.ProviderNotFound,
      param: 'provider',
    });
  });

  it('resolves aliases from the config file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tg-')), 'tollgate.yaml');
    writeFileSync(file, 'aliases:\n  fast: groq/llama-3.1-8b-instant\n  smart: openai/gpt-4o\n');
    const r = await routerFor({ ...env, TOLLGATE_CONFIG: file });
    expect(r.resolve('fast')).toMatchObject({
      adapter: { name: 'groq' },
      model: 'llama-3.1-8b-instant',
    });
    // The alias named the provider: the route is not the catalog's choice.
    expect(r.resolve('smart')).toMatchObject({
      adapter: { name: 'openai' },
      model: 'gpt-4o',
      via: 'prefix',
    });
  });

  it('uses discovered models, and a provider whose discovery failed stays usable by prefix', async () => {
    const r = await routerFor(
      { OPENAI_API_KEY: 'k', MISTRAL_API_KEY: 'k' },
      { openai: ['gpt-4.1'], mistral: new Error('discovery down') },
    );
    expect(r.resolve('gpt-4.1')).toMatchObject({ adapter: { name: 'openai' } });
    expect(r.resolve('mistral/mistral-large-latest')).toMatchObject({
      adapter: { name: 'mistral' },
      model: 'mistral-large-latest',
    });
    const err = failure(() => r.resolve('mistral-large-latest'));
    expect(err.code).toBe(ErrorCode.ModelNotFound);
    expect(err.message).toContain('openai/gpt-4.1');
    expect(err.message).toContain('mistral');
  });
});

describe('ModelCatalog', () => {
  it('leaves out discovered ids the provider could not be asked for safely', async () => {
    const config = loadConfig({ TOLLGATE_AUTH: 'disabled', OPENAI_API_KEY: 'k' });
    const registry = new ProviderRegistry([
      fakeAdapter('openai', ['gpt-4.1', '../evil', 'a?b', 'x/../y', 'org/model-1']),
    ]);
    const catalog = new ModelCatalog(config, registry, silentLogger);
    await catalog.refresh();
    expect(catalog.allIds()).toEqual(['openai/gpt-4.1', 'openai/org/model-1']);
  });
});

describe('ModelRouter with hostile model names', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    '%s is an unknown model, not an alias from Object.prototype',
    async (name) => {
      const r = await routerFor({ OPENAI_API_KEY: 'k', OPENAI_MODELS: 'gpt-4o' });
      expect(failure(() => r.resolve(name)).code).toBe(ErrorCode.ModelNotFound);
    },
  );
});

describe('ModelRouter with model ids that would change an upstream URL', () => {
  const env = { OPENAI_API_KEY: 'k', OPENAI_MODELS: 'gpt-4o', GROQ_API_KEY: 'k' };

  it.each([
    ['openai/../gpt-4o', undefined],
    ['openai/./gpt-4o', undefined],
    ['openai/gpt-4o/..', undefined],
    ['openai//gpt-4o', undefined],
    ['openai/gpt-4o?x=1', undefined],
    ['openai/gpt-4o#x', undefined],
    ['openai/%2e%2e', undefined],
    ['openai/gpt\\4o', undefined],
    ['openai/gpt-4o\u0000', undefined],
    ['openai/gpt-4o\n', undefined],
    ['../gpt-4o', 'groq'],
    ['groq/../../x', 'groq'],
  ])('%j (provider %s) is a 400 invalid_model', async (model, hint) => {
    const r = await routerFor(env);
    expect(failure(() => r.resolve(model, hint))).toMatchObject({
      code: ErrorCode.InvalidRequest,
      param: 'model',
      wireCode: 'invalid_model',
    });
  });
});
