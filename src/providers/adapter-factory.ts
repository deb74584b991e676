import type { ProviderConfig } from '../config/config.js';
import type { UpstreamHttp } from '../common/http/upstream-http.service.js';
import { AnthropicAdapter } from './anthropic/anthropic.adapter.js';
import { GeminiAdapter } from './gemini/gemini.adapter.js';
import { OpenAIAdapter } from './openai/openai.adapter.js';
import type { ProviderAdapter } from './provider-adapter.js';

/** Builds the adapter for one configured provider instance, by type. */
export function createAdapter(config: ProviderConfig, http: UpstreamHttp): ProviderAdapter {
  switch (config.type) {
    case 'openai':
    case 'openai-compatible':
    case 'azure-openai':
      return new OpenAIAdapter(config, http);
    case 'anthropic':
      return new AnthropicAdapter(config, http);
    case 'gemini':
      return new GeminiAdapter(config, http);
  }
}
