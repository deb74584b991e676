import { mergeAnthropicUsage, toOpenAIUsage } from './anthropic-usage.js';

describe('toOpenAIUsage', () => {
  it('counts cache reads and writes into prompt_tokens and reports them separately', () => {
    const native = {
      input_tokens: 5,
      cache_creation_input_tokens: 1310,
      cache_read_input_tokens: 2408,
      cache_creation: { ephemeral_5m_input_tokens: 1310, ephemeral_1h_input_tokens: 0 },
      output_tokens: 96,
      output_tokens_details: { thinking_tokens: 40 },
      service_tier: 'standard',
    };
    expect(toOpenAIUsage(native)).toEqual({
      prompt_tokens: 3723,
      completion_tokens: 96,
      total_tokens: 3819,
      prompt_tokens_details: { cached_tokens: 2408, cache_write_tokens: 1310 },
      completion_tokens_details: { reasoning_tokens: 40 },
      raw_usage: native,
    });
  });

  it('leaves reasoning_tokens out when Anthropic does not say, and treats missing fields as 0', () => {
    const usage = toOpenAIUsage({ input_tokens: 14, output_tokens: 5 });
    expect(usage).toEqual({
      prompt_tokens: 14,
      completion_tokens: 5,
      total_tokens: 19,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      raw_usage: { input_tokens: 14, output_tokens: 5 },
    });
  });

  it('keeps the native object as raw_usage, without changing it', () => {
    const native = {
      input_tokens: 1,
      output_tokens: 2,
      server_tool_use: { web_search_requests: 1 },
    };
    const before = structuredClone(native);
    expect(toOpenAIUsage(native).raw_usage).toEqual(before);
    expect(native).toEqual(before);
  });
});

describe('mergeAnthropicUsage', () => {
  it('lets later totals replace earlier ones, ignoring fields not reported (null)', () => {
    expect(
      mergeAnthropicUsage(
        {
          input_tokens: 3,
          cache_creation_input_tokens: 1204,
          output_tokens: 12,
          service_tier: 'standard',
        },
        { input_tokens: null, cache_read_input_tokens: 2408, output_tokens: 96 },
      ),
    ).toEqual({
      input_tokens: 3,
      cache_creation_input_tokens: 1204,
      cache_read_input_tokens: 2408,
      output_tokens: 96,
      service_tier: 'standard',
    });
    expect(mergeAnthropicUsage(undefined, { output_tokens: 1 })).toEqual({ output_tokens: 1 });
  });
});
