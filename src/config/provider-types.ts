/**
 * The provider families Tollgate knows, and the built-in instances enabled by
 * `<PREFIX>_API_KEY` / `<PREFIX>_BASE_URL`. A new OpenAI-compatible provider is a row here.
 */
export type ProviderType = 'openai' | 'openai-compatible' | 'azure-openai' | 'anthropic' | 'gemini';

export const PROVIDER_TYPES: readonly ProviderType[] = [
  'openai',
  'openai-compatible',
  'azure-openai',
  'anthropic',
  'gemini',
];

export interface BuiltinProvider {
  /** Environment prefix and default instance name (lower-cased). */
  prefix: string;
  type: ProviderType;
  defaultBaseUrl?: string;
  /** Enabled by base URL alone (local servers). */
  keyless?: 'required-base-url' | 'optional-key';
}

export const BUILTIN_PROVIDERS: readonly BuiltinProvider[] = [
  { prefix: 'OPENAI', type: 'openai', defaultBaseUrl: 'https://api.openai.com/v1' },
  { prefix: 'ANTHROPIC', type: 'anthropic', defaultBaseUrl: 'https://api.anthropic.com' },
  {
    prefix: 'GEMINI',
    type: 'gemini',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com',
  },
  { prefix: 'GROQ', type: 'openai-compatible', defaultBaseUrl: 'https://api.groq.com/openai/v1' },
  { prefix: 'XAI', type: 'openai-compatible', defaultBaseUrl: 'https://api.x.ai/v1' },
  { prefix: 'DEEPSEEK', type: 'openai-compatible', defaultBaseUrl: 'https://api.deepseek.com/v1' },
  { prefix: 'MISTRAL', type: 'openai-compatible', defaultBaseUrl: 'https://api.mistral.ai/v1' },
  {
    prefix: 'OPENROUTER',
    type: 'openai-compatible',
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
  },
  { prefix: 'AZURE', type: 'azure-openai' },
  {
    prefix: 'OLLAMA',
    type: 'openai-compatible',
    defaultBaseUrl: 'http://localhost:11434/v1',
    keyless: 'required-base-url',
  },
  { prefix: 'VLLM', type: 'openai-compatible', keyless: 'optional-key' },
];

export const DEFAULT_AZURE_API_VERSION = '2024-10-21';
