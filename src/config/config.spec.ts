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
