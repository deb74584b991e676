import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('enables built-in providers from their API key, with default base URLs', () => {
    const c = loadConfig({
      OPENAI_API_KEY: 'sk-a',
      GROQ_API_KEY: 'gsk-b',
      GROQ_MODELS: 'llama-3.1-8b-instant, mixtral',
    });
    expect(c.providers.map((p) => [p.name, p.type, p.baseUrl])).toEqual([
      ['openai', 'openai', 'https://api.openai.com/v1'],
      ['groq', 'openai-compatible', 'https://api.groq.com/openai/v1'],
    ]);
    expect(c.providers[1].models).toEqual(['llama-3.1-8b-instant', 'mixtral']);
    expect(c.port).toBe(8080);
    expect(c.host).toBe('0.0.0.0');
    expect(c.bodyLimitBytes).toBe(10 * 1024 * 1024);
  });

  it('enables keyless local servers by base URL only', () => {
    const c = loadConfig({
      OLLAMA_BASE_URL: 'http://127.0.0.1:11434/v1/',
      VLLM_BASE_URL: 'http://vllm:8000/v1',
    });
    expect(c.providers.map((p) => [p.name, p.baseUrl, p.apiKey])).toEqual([
      ['ollama', 'http://127.0.0.1:11434/v1', undefined],
      ['vllm', 'http://vllm:8000/v1', undefined],
    ]);
  });

  it('generates a master key when none is set, and can run open when told to', () => {
    const generated = loadConfig({});
    expect(generated.auth).toMatchObject({ mode: 'master', generated: true });
    expect(loadConfig({ TOLLGATE_AUTH: 'disabled' }).auth).toEqual({ mode: 'disabled' });
  });

  it('reports every problem at once', () => {
    let err: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        AZURE_API_KEY: 'k',
        LOG_LEVEL: 'loud',
        TOLLGATE_BODY_LIMIT: 'huge',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'AZURE_BASE_URL is required when AZURE_API_KEY is set',
      'PORT must be an integer between 0 and 65535, got "eighty"',
      'TOLLGATE_BODY_LIMIT must be a size like 10mb or 1048576, got "huge"',
    ]);
  });
});

describe('loadConfig with a YAML file', () => {
  const write = async (text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'tg-cfg-')), 'tollgate.yaml');
    writeFileSync(file, text);
    return file;
  };

  it('adds named instances and refines built-in ones, taking secrets from the environment', async () => {
    const file = await write(
      [
        'providers:',
        '  openai:',
        '    models: [gpt-4o]',
        '  openai-eu:',
        '    type: openai',
        '    api_key: ${EU_KEY}',
        '    base_url: https://eu.example.com/v1/',
        '  claude:',
        '    type: anthropic',
        '    api_key: ${CLAUDE_KEY}',
        '    default_max_tokens: { claude-sonnet-4-5: 8192 }',
      ].join('\n'),
    );
    const c = loadConfig({
      TOLLGATE_CONFIG: file,
      OPENAI_API_KEY: 'sk-a',
      EU_KEY: 'sk-eu',
      CLAUDE_KEY: 'sk-ant',
    });
    expect(c.providers.map((p) => [p.name, p.type, p.baseUrl, p.apiKey, p.models])).toEqual([
      ['openai', 'openai', 'https://api.openai.com/v1', 'sk-a', ['gpt-4o']],
      ['openai-eu', 'openai', 'https://eu.example.com/v1', 'sk-eu', undefined],
      ['claude', 'anthropic', 'https://api.anthropic.com', 'sk-ant', undefined],
    ]);
    expect(c.providers[2].defaultMaxTokens).toEqual({ 'claude-sonnet-4-5': 8192 });
  });

  it('reports a YAML syntax error as one line', async () => {
    const file = await write('providers:\n  a: { type: openai, api_key: ${X} }\n');
    let problems: string[] = [];
    try {
      loadConfig({ TOLLGATE_CONFIG: file });
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^TOLLGATE_CONFIG: cannot read .*tollgate\.yaml: .*line 2, column \d+/,
    );
    expect(problems[0]).not.toContain('\n');
  });

  it('reports each bad entry on its own line', async () => {
    const file = await write(
      [
        'providers:',
        '  Bad/Name: { type: openai }',
        '  weird: { type: telepathy }',
        '  local: { type: openai-compatible }',
        "  keyed: { type: openai, api_key: '${MISSING_KEY}' }",
        'aliases:',
        '  fast: 3',
      ].join('\n'),
    );
    let problems: string[] = [];
    try {
      loadConfig({ TOLLGATE_CONFIG: file });
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    expect(problems).toEqual([
      'config refers to ${MISSING_KEY}, which is not set',
      "config providers.Bad/Name: name must be lower-case letters, digits, '.', '_' or '-' (no '/')",
      'config providers.weird.type: must be one of openai, openai-compatible, azure-openai, anthropic, gemini',
      'config aliases.fast: must be a model name such as openai/gpt-4o-mini, or { targets, strategy }',
      'config providers.local.base_url: is required for type openai-compatible',
    ]);
  });

  it('reads retries, fallbacks, alias pools, timeouts and the breaker settings', async () => {
    const file = await write(
      [
        'retries: 3',
        'retry_backoff: { base_ms: 10, max_ms: 100 }',
        'aliases:',
        '  fast: openai/gpt-4o-mini',
        '  smart:',
        '    targets: [{ model: openai/gpt-4o, weight: 3 }, { model: azure/prod-4o }]',
        '    strategy: least-inflight',
        'fallbacks:',
        '  smart: [anthropic/claude-sonnet-4-5, gemini/gemini-2.5-pro]',
        'timeouts:',
        '  openai: { connect_ms: 2000, first_byte_ms: 5000, idle_ms: 1000 }',
        '  openai/gpt-4o: { first_token_ms: 3000, total_ms: 60000 }',
        'circuit_breaker: { cooldown_ms: 500, failure_ratio: 0.25 }',
      ].join('\n'),
    );
    const c = loadConfig({
      TOLLGATE_CONFIG: file,
      OPENAI_API_KEY: 'sk-a',
      TOLLGATE_MAX_INFLIGHT: '64',
    });
    expect(c.aliases).toEqual({ fast: 'openai/gpt-4o-mini', smart: 'openai/gpt-4o' });
    expect(c.maxInflight).toBe(64);
    expect(c.resilience).toEqual({
      retries: 3,
      backoff: { baseMs: 10, maxMs: 100 },
      maxRetryAfterMs: 10_000,
      fallbacks: { smart: ['anthropic/claude-sonnet-4-5', 'gemini/gemini-2.5-pro'] },
      pools: {
        smart: {
          strategy: 'least-inflight',
          targets: [
            { model: 'openai/gpt-4o', weight: 3 },
            { model: 'azure/prod-4o', weight: 1 },
          ],
        },
      },
      timeouts: {
        openai: { connectMs: 2000, firstByteMs: 5000, idleMs: 1000 },
        'openai/gpt-4o': { firstTokenMs: 3000, totalMs: 60000 },
      },
      breaker: {
        window: 20,
        windowMs: 30_000,
        minFailures: 5,
        failureRatio: 0.25,
        cooldownMs: 500,
      },
    });
  });

  it('defaults to two retries, no fallbacks, no shedding', () => {
    const c = loadConfig({});
    expect([c.resilience.retries, c.resilience.fallbacks, c.maxInflight]).toEqual([2, {}, 0]);
  });

  it('reports each resilience problem on its own line', async () => {
    const file = await write(
      [
        'retries: -1',
        'aliases:',
        '  pool: { targets: [{ model: openai/a, weight: 0 }], strategy: random }',
        '  empty: { targets: [] }',
        'fallbacks:',
        '  smart: anthropic/claude',
        'timeouts:',
        '  nowhere: { first_byte_ms: 10 }',
        '  openai/gpt-4o: { connect_ms: 10, idle_ms: fast, slow_ms: 1 }',
        'circuit_breaker: { failure_ratio: 2 }',
      ].join('\n'),
    );
    let problems: string[] = [];
    try {
      loadConfig({ TOLLGATE_CONFIG: file, OPENAI_API_KEY: 'sk-a', TOLLGATE_MAX_INFLIGHT: 'lots' });
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    expect(problems).toEqual([
      'config aliases.pool.targets[0].weight: must be a positive number, got 0',
      'config aliases.pool.strategy: must be one of weighted, least-inflight',
      'config aliases.empty.targets: must be a non-empty list of { model, weight }',
      'config retries: must be an integer between 0 and 10, got -1',
      'config fallbacks.smart: must be a non-empty list of models such as anthropic/claude-sonnet-4-5',
      'config timeouts.openai/gpt-4o.slow_ms: unknown field (expected connect_ms, first_byte_ms, first_token_ms, idle_ms, total_ms)',
      'config timeouts.openai/gpt-4o.idle_ms: must be an integer between 1 and 3600000, got "fast"',
      'config circuit_breaker.failure_ratio: must be a number between 0 and 1, got 2',
      "config timeouts.nowhere: 'nowhere' is not a configured provider",
      'TOLLGATE_MAX_INFLIGHT must be an integer between 0 and 1000000, got "lots"',
    ]);
  });
});
