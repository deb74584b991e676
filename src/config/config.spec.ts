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
      'config providers.weird.type must be one of openai, openai-compatible, azure-openai, anthropic, gemini',
      'config providers.local.base_url is required for type openai-compatible',
      'config aliases.fast must be a model name such as openai/gpt-4o-mini, or { targets, strategy }',
    ]);
  });
});
