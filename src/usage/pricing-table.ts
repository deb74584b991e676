import type { ModelPrice, PriceFamily } from '../config/pricing-config.js';

// The built-in prices were last checked against the providers' price pages on 2025-12-01.

/**
 * List prices in USD per 1M tokens, standard tier, by price family and model family.
 * A dated or suffixed model id (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`,
 * `gemini-3-pro-preview`) takes the price of the longest key it starts with followed by
 * `-`, `@` or `:`. Omitted rates default: cached input and cache writes to the input
 * rate, reasoning to the output rate. `long_context` applies to the whole request when
 * its prompt is longer than `threshold` tokens. Batch/flex/priority tiers, Anthropic
 * 1-hour cache writes and audio/image tokens are not distinguished: override in
 * `tollgate.yaml` (`pricing:`) where that matters.
 */
export const PRICE_TABLE: Record<PriceFamily, Record<string, ModelPrice>> = {
  openai: {
    'gpt-5': { input: 1.25, cached_input: 0.125, output: 10 },
    'gpt-5-chat': { input: 1.25, cached_input: 0.125, output: 10 },
    'gpt-5-codex': { input: 1.25, cached_input: 0.125, output: 10 },
    'gpt-5-mini': { input: 0.25, cached_input: 0.025, output: 2 },
    'gpt-5-nano': { input: 0.05, cached_input: 0.005, output: 0.4 },
    'gpt-5-pro': { input: 15, output: 120 },
    'gpt-5.1': { input: 1.25, cached_input: 0.125, output: 10 },
    'gpt-5.1-codex-mini': { input: 0.25, cached_input: 0.025, output: 2 },
    'gpt-4.1': { input: 2, cached_input: 0.5, output: 8 },
    'gpt-4.1-mini': { input: 0.4, cached_input: 0.1, output: 1.6 },
    'gpt-4.1-nano': { input: 0.1, cached_input: 0.025, output: 0.4 },
    'gpt-4o': { input: 2.5, cached_input: 1.25, output: 10 },
    'gpt-4o-2024-05-13': { input: 5, output: 15 },
    'gpt-4o-mini': { input: 0.15, cached_input: 0.075, output: 0.6 },
    o1: { input: 15, cached_input: 7.5, output: 60 },
    'o1-mini': { input: 1.1, cached_input: 0.55, output: 4.4 },
    'o1-pro': { input: 150, output: 600 },
    o3: { input: 2, cached_input: 0.5, output: 8 },
    'o3-mini': { input: 1.1, cached_input: 0.55, output: 4.4 },
    'o3-pro': { input: 20, output: 80 },
    'o4-mini': { input: 1.1, cached_input: 0.275, output: 4.4 },
    'gpt-4-turbo': { input: 10, output: 30 },
    'gpt-4': { input: 30, output: 60 },
    'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  },
  anthropic: {
    'claude-opus-4-5': { input: 5, output: 25, cache_write: 6.25, cached_input: 0.5 },
    'claude-opus-4-1': { input: 15, output: 75, cache_write: 18.75, cached_input: 1.5 },
    'claude-opus-4': { input: 15, output: 75, cache_write: 18.75, cached_input: 1.5 },
    'claude-sonnet-4-5': {
      input: 3,
      output: 15,
      cache_write: 3.75,
      cached_input: 0.3,
      long_context: {
        threshold: 200_000,
        input: 6,
        output: 22.5,
        cache_write: 7.5,
        cached_input: 0.6,
      },
    },
    'claude-sonnet-4': {
      input: 3,
      output: 15,
      cache_write: 3.75,
      cached_input: 0.3,
      long_context: {
        threshold: 200_000,
        input: 6,
        output: 22.5,
        cache_write: 7.5,
        cached_input: 0.6,
      },
    },
    'claude-haiku-4-5': { input: 1, output: 5, cache_write: 1.25, cached_input: 0.1 },
    'claude-3-7-sonnet': { input: 3, output: 15, cache_write: 3.75, cached_input: 0.3 },
    'claude-3-5-sonnet': { input: 3, output: 15, cache_write: 3.75, cached_input: 0.3 },
    'claude-3-5-haiku': { input: 0.8, output: 4, cache_write: 1, cached_input: 0.08 },
    'claude-3-opus': { input: 15, output: 75, cache_write: 18.75, cached_input: 1.5 },
    'claude-3-haiku': { input: 0.25, output: 1.25, cache_write: 0.3, cached_input: 0.03 },
  },
  gemini: {
    'gemini-3-pro': {
      input: 2,
      output: 12,
      cached_input: 0.2,
      long_context: { threshold: 200_000, input: 4, output: 18, cached_input: 0.4 },
    },
    'gemini-2.5-pro': {
      input: 1.25,
      output: 10,
      cached_input: 0.125,
      long_context: { threshold: 200_000, input: 2.5, output: 15, cached_input: 0.25 },
    },
    'gemini-2.5-flash': { input: 0.3, output: 2.5, cached_input: 0.03 },
    'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cached_input: 0.01 },
    'gemini-2.0-flash': { input: 0.1, output: 0.4, cached_input: 0.025 },
    'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
  },
  groq: {
    'llama-3.1-8b-instant': { input: 0.05, output: 0.08 },
    'llama-3.3-70b-versatile': { input: 0.59, output: 0.79 },
    'meta-llama/llama-4-scout-17b-16e-instruct': { input: 0.11, output: 0.34 },
    'meta-llama/llama-4-maverick-17b-128e-instruct': { input: 0.2, output: 0.6 },
  },
  xai: {
    'grok-4': {
      input: 3,
      output: 15,
      cached_input: 0.75,
      long_context: { threshold: 128_000, input: 6, output: 30, cached_input: 0.75 },
    },
    'grok-4-fast': {
      input: 0.2,
      output: 0.5,
      cached_input: 0.05,
      long_context: { threshold: 128_000, input: 0.4, output: 1, cached_input: 0.05 },
    },
    'grok-4-1-fast': {
      input: 0.2,
      output: 0.5,
      cached_input: 0.05,
      long_context: { threshold: 128_000, input: 0.4, output: 1, cached_input: 0.05 },
    },
    'grok-code-fast': { input: 0.2, output: 1.5, cached_input: 0.02 },
    'grok-3': { input: 3, output: 15, cached_input: 0.75 },
    'grok-3-mini': { input: 0.3, output: 0.5, cached_input: 0.075 },
  },
  deepseek: {
    'deepseek-chat': { input: 0.28, cached_input: 0.028, output: 0.42 },
    'deepseek-reasoner': { input: 0.28, cached_input: 0.028, output: 0.42 },
  },
  mistral: {
    'mistral-large': { input: 2, output: 6 },
    'mistral-large-2512': { input: 0.5, output: 1.5 },
    'mistral-medium': { input: 0.4, output: 2 },
    'mistral-small': { input: 0.1, output: 0.3 },
    codestral: { input: 0.3, output: 0.9 },
    'magistral-medium': { input: 2, output: 5 },
    'magistral-small': { input: 0.5, output: 1.5 },
    'ministral-8b': { input: 0.1, output: 0.1 },
    'ministral-3b': { input: 0.04, output: 0.04 },
  },
};
