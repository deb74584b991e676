import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { modelAllowed } from '../auth/model-allowlist.js';
import type { ChatCompletionRequest } from '../openai/chat-completion.types.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { toWireError } from '../common/errors/error-envelope.js';
import {
  urlUnderBase,
  type UpstreamHttp,
  type UpstreamRequest,
} from '../common/http/upstream-http.service.js';
import { loadConfig, type TollgateConfig } from '../config/config.js';
import { createAdapter } from '../providers/adapter-factory.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import { ModelCatalog } from './model-catalog.service.js';
import { ModelRouter, type Route } from './model-router.service.js';

/**
 * Property: whatever `model` / `provider` a caller sends, (a) a request that routing and
 * the allowlist admit goes to a target the allowlist names (provider instance + upstream
 * id, per the semantics documented on `modelAllowed`), and everything such a list names
 * is admitted; (b) the URL the real adapter builds for it stays under the provider's
 * configured base URL.
 */

const BASES: Record<string, string> = {
  openai: 'https://api.openai.example/v1',
  'openai-team-b': 'https://team-b.example/v1',
  groq: 'https://groq.example/openai/v1',
  openrouter: 'https://openrouter.example/api/v1',
  anthropic: 'https://anthropic.example/proxy',
  gemini: 'https://gemini.example/google/api',
};

const YAML = `
providers:
  openai-team-b:
    type: openai
    api_key: k
    base_url: ${BASES['openai-team-b']}
    models: [gpt-4o, o3-mini]
aliases:
  fast: groq/llama-3.1-8b-instant
  smart: openai/gpt-4o
  pro: gemini/gemini-2.5-pro
  haiku: anthropic/claude-3-5-haiku-latest
  or: openrouter/openai/gpt-4o
  mini: gpt-4o-mini
  chain: smart
  escape: gemini/../evil
`;

const ENV = {
  OPENAI_API_KEY: 'k',
  OPENAI_BASE_URL: BASES.openai,
  OPENAI_MODELS: 'gpt-4o,o3',
  GROQ_API_KEY: 'k',
  GROQ_BASE_URL: BASES.groq,
  GROQ_MODELS: 'llama-3.1-8b-instant,openai/gpt-oss-120b',
  OPENROUTER_API_KEY: 'k',
  OPENROUTER_BASE_URL: BASES.openrouter,
  OPENROUTER_MODELS: 'openai/gpt-4o,anthropic/claude-3-5-haiku,gpt-4o-mini',
  ANTHROPIC_API_KEY: 'k',
  ANTHROPIC_BASE_URL: BASES.anthropic,
  ANTHROPIC_MODELS: 'claude-3-5-haiku-latest,claude-3-5-haiku-20241022,claude-sonnet-4-5',
  GEMINI_API_KEY: 'k',
  GEMINI_BASE_URL: BASES.gemini,
  GEMINI_MODELS: 'gemini-2.5-pro,gemini-2.5-flash',
};

/**
 * Each list with what it must admit, written out by hand (not with `modelAllowed`):
 * provider entries name an instance exactly; bare entries only catalog routes.
 */
const KEYS: Array<{
  models: string[];
  admits: (provider: string, model: string, catalogRouted: boolean) => boolean;
}> = [
  { models: ['openai/*'], admits: (p) => p === 'openai' },
  {
    models: ['anthropic/claude-3-5-haiku*'],
    admits: (p, m) => p === 'anthropic' && m.startsWith('claude-3-5-haiku'),
  },
  {
    models: ['gemini/gemini-2.5-flash'],
    admits: (p, m) => p === 'gemini' && m === 'gemini-2.5-flash',
  },
  {
    models: ['openrouter/openai/*'],
    admits: (p, m) => p === 'openrouter' && m.startsWith('openai/'),
  },
  {
    models: ['gpt-4o-mini', 'claude-*'],
    admits: (_p, m, c) => c && (m === 'gpt-4o-mini' || m.startsWith('claude-')),
  },
  {
    models: ['groq/llama*', 'openai/gpt-4o'],
    admits: (p, m) => (p === 'groq' && m.startsWith('llama')) || (p === 'openai' && m === 'gpt-4o'),
  },
];

const TOKENS = [
  ...Object.keys(BASES),
  'open',
  'OpenAI',
  'ｏpenai',
  'openai\u200b',
  'nope',
  'models',
  'tunedModels',
  'gpt-4o',
  'gpt-4o-mini',
  'o3',
  'gpt-oss-120b',
  'llama-3.1-8b-instant',
  'claude-3-5-haiku',
  'claude-3-5-haiku-latest',
  'claude-sonnet-4-5',
  'gemini-2.5-pro',
  'gemini-2.5-flash',
  'fast',
  'smart',
  'pro',
  'haiku',
  'or',
  'mini',
  'chain',
  'escape',
  'evil',
  '',
  '.',
  '..',
  '...',
  '%2e',
  '%2e%2e',
  '%2E%2E',
  '%2f',
  '%5c',
  '?alt=sse',
  '#frag',
  '\u0000',
  '\n',
  '\\',
  ':generateContent',
  '@evil.example',
  '//evil.example',
];

const part = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...TOKENS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);
const modelArb = fc
  .array(fc.tuple(part, fc.constantFrom('/', '/', '/', '', '-', '.')), {
    minLength: 1,
    maxLength: 5,
  })
  .map((pieces) => pieces.map(([p, sep], i) => (i === 0 ? p : sep + p)).join(''))
  .filter((m) => m !== '');
const hintArb = fc.option(
  fc.oneof(
    fc.constantFrom(...Object.keys(BASES), 'nope', 'OPENAI', ''),
    fc.string({ maxLength: 3 }),
  ),
  { nil: undefined },
);

/** What the adapters sent; each send is refused so nothing goes further. */
class RecordingHttp {
  readonly requests: UpstreamRequest[] = [];
  send(req: UpstreamRequest): Promise<never> {
    this.requests.push(req);
    return Promise.reject(new Error('recorded'));
  }
}

const silentLogger = { warn: () => undefined } as unknown as Logger;

async function setUp(): Promise<{
  config: TollgateConfig;
  router: ModelRouter;
  http: RecordingHttp;
}> {
  const file = join(mkdtempSync(join(tmpdir(), 'tg-access-')), 'tollgate.yaml');
  writeFileSync(file, YAML);
  const config = loadConfig({ TOLLGATE_AUTH: 'disabled', TOLLGATE_CONFIG: file, ...ENV });
  const http = new RecordingHttp();
  const registry = new ProviderRegistry(
    config.providers.map((p) => createAdapter(p, http as unknown as UpstreamHttp)),
  );
  const catalog = new ModelCatalog(config, registry, silentLogger);
  await catalog.refresh();
  return { config, router: new ModelRouter(config, registry, catalog), http };
}

/** The same rules as the router's, stated independently: what an upstream id may be. */
function safeUpstreamId(provider: string, model: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f?#%\\]/.test(model)) return false;
  if (model.split('/').some((s) => s === '' || s === '.' || s === '..')) return false;
  if (provider === 'gemini') return /^(tunedModels\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/.test(model);
  return true;
}

function routeOrRefusal(router: ModelRouter, model: string, hint?: string): Route | undefined {
  try {
    return router.resolve(model, hint);
  } catch (err) {
    // Every refusal is a client error in the envelope, never a crash.
    expect(err).toBeInstanceOf(GatewayError);
    expect(toWireError(err as GatewayError).status).toBeGreaterThanOrEqual(400);
    expect(toWireError(err as GatewayError).status).toBeLessThan(500);
    return undefined;
  }
}

describe('model access control (property)', () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    env = await setUp();
  });

  it('admits exactly the targets the allowlist names, whatever the spelling', () => {
    let routed = 0;
    fc.assert(
      fc.property(fc.constantFrom(...KEYS), modelArb, hintArb, (key, model, hint) => {
        const route = routeOrRefusal(env.router, model, hint);
        if (!route) return;
        routed++;
        const provider = route.adapter.name;
        if (hint !== undefined) expect(route.via).toBe('hint');
        expect(safeUpstreamId(provider, route.model)).toBe(true);
        const catalogRouted = route.via === 'catalog';
        if (catalogRouted) {
          const listed = env.config.providers.find((p) => p.name === provider)?.models ?? [];
          expect(listed).toContain(route.model);
        }
        const allowed = modelAllowed(key.models, { provider, model: route.model, catalogRouted });
        expect(allowed).toBe(key.admits(provider, route.model, catalogRouted));
      }),
      { numRuns: 3000 },
    );
    // The property says nothing if (almost) every generated model is refused.
    expect(routed).toBeGreaterThan(200);
  });

  it('builds upstream URLs that stay under the provider base URL', async () => {
    let called = 0;
    await fc.assert(
      fc.asyncProperty(modelArb, hintArb, fc.boolean(), async (model, hint, stream) => {
        const route = routeOrRefusal(env.router, model, hint);
        if (!route) return;
        called++;
        const body: ChatCompletionRequest = { model, messages: [{ role: 'user', content: 'hi' }] };
        env.http.requests.length = 0;
        const call = {
          body,
          model: route.model,
          signal: new AbortController().signal,
          clientHeaders: {},
          requestId: 'req_test',
        };
        await (stream ? route.adapter.stream(call) : route.adapter.complete(call)).catch(
          () => undefined,
        );
        expect(env.http.requests).toHaveLength(1);
        const [req] = env.http.requests;
        const base = BASES[route.adapter.name];
        expect(req.base).toBe(base);
        const url = new URL(req.url);
        const root = new URL(base);
        expect(url.origin).toBe(root.origin);
        expect(url.pathname.startsWith(`${root.pathname}/`)).toBe(true);
        expect(urlUnderBase(req.url, req.base)).toBe(url.href);
        if (route.adapter.type === 'gemini') {
          const resource = route.model.startsWith('tunedModels/')
            ? route.model
            : `models/${route.model}`;
          expect(url.pathname).toBe(
            `${root.pathname}/v1beta/${resource}:${stream ? 'streamGenerateContent' : 'generateContent'}`,
          );
        } else {
          expect(JSON.parse(req.body ?? '{}')).toMatchObject({ model: route.model });
        }
      }),
      { numRuns: 1500 },
    );
    expect(called).toBeGreaterThan(100);
  });

  it('reaches the spellings that should work', () => {
    const admitted = (model: string, hint?: string) => {
      const r = env.router.resolve(model, hint);
      return [r.adapter.name, r.model, r.via];
    };
    expect(admitted('openai/gpt-4o')).toEqual(['openai', 'gpt-4o', 'prefix']);
    expect(admitted('gpt-4o', 'openai')).toEqual(['openai', 'gpt-4o', 'hint']);
    expect(admitted('gemini/models/gemini-2.5-pro')).toEqual([
      'gemini',
      'gemini-2.5-pro',
      'prefix',
    ]);
    expect(admitted('openrouter/openai/gpt-4o')).toEqual(['openrouter', 'openai/gpt-4o', 'prefix']);
    expect(admitted('or')).toEqual(['openrouter', 'openai/gpt-4o', 'prefix']);
    expect(admitted('mini')).toEqual(['openrouter', 'gpt-4o-mini', 'catalog']);
    expect(admitted('claude-sonnet-4-5')).toEqual(['anthropic', 'claude-sonnet-4-5', 'catalog']);
  });
});
