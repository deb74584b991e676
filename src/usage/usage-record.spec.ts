import { Pricing } from './pricing.js';
import { countTextTokens, estimatePromptTokens } from './token-estimate.js';
import { buildUsageRecord, type ObservedRequest } from './usage-record.js';

const pricing = new Pricing([
  { name: 'openai', type: 'openai', baseUrl: 'https://api.openai.com/v1' },
  { name: 'local', type: 'openai-compatible', baseUrl: 'http://127.0.0.1:8000/v1' },
]);

const observed = (o: Partial<ObservedRequest> = {}): ObservedRequest => ({
  requestId: 'req_1',
  startedAt: Date.parse('2026-11-01T00:00:00Z'),
  keyId: 'key_1',
  teamId: null,
  requestedModel: 'gpt-4o-mini',
  provider: 'openai',
  model: 'gpt-4o-mini',
  stream: false,
  statusCode: 200,
  latencyMs: 10,
  ttftMs: null,
  errorType: null,
  errorCode: null,
  partial: false,
  user: null,
  attempts: 1,
  traceId: null,
  ...o,
});

describe('buildUsageRecord', () => {
  it('takes the upstream usage as it is, details included, and prices it', () => {
    const r = buildUsageRecord(
      observed({
        usage: {
          prompt_tokens: 1_000,
          completion_tokens: 300,
          total_tokens: 1_300,
          prompt_tokens_details: { cached_tokens: 400, cache_write_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 100 },
        },
      }),
      'usage_1',
      pricing,
    );
    expect(r).toMatchObject({
      id: 'usage_1',
      requestId: 'req_1',
      keyId: 'key_1',
      promptTokens: 1_000,
      completionTokens: 300,
      totalTokens: 1_300,
      cachedTokens: 400,
      reasoningTokens: 100,
      usageEstimated: false,
      costReason: null,
    });
    // gpt-4o-mini: $0.15 input, $0.075 cached, $0.60 output per 1M = 150/75/600 nano per token.
    expect(r.costNanos).toBe(600n * 150n + 400n * 75n + 300n * 600n);
  });

  it('costs nothing when nothing was consumed (validation and routing errors)', () => {
    const r = buildUsageRecord(
      observed({
        provider: null,
        model: null,
        statusCode: 400,
        errorType: 'invalid_request_error',
      }),
      'usage_2',
      pricing,
    );
    expect([r.totalTokens, r.costNanos, r.costReason]).toEqual([0, 0n, null]);
  });

  it('leaves the cost null with a reason when the model has no price', () => {
    const r = buildUsageRecord(
      observed({
        provider: 'local',
        model: 'my-finetune',
        usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
      }),
      'usage_3',
      pricing,
    );
    expect([r.costNanos, r.costReason]).toEqual([null, 'unpriced_model']);
  });

  it('fills a partial request from the gateway counts where the upstream reported less', () => {
    const r = buildUsageRecord(
      observed({
        partial: true,
        stream: true,
        usage: { prompt_tokens: 42, completion_tokens: 1, total_tokens: 43 },
        estimatedPromptTokens: 40,
        estimatedCompletionTokens: 17,
      }),
      'usage_4',
      pricing,
    );
    expect(r).toMatchObject({
      promptTokens: 42,
      completionTokens: 17,
      totalTokens: 59,
      partial: true,
      usageEstimated: true,
    });
  });

  it('estimates the prompt too when an aborted stream reported nothing at all', () => {
    const r = buildUsageRecord(
      observed({ partial: true, estimatedPromptTokens: 12, estimatedCompletionTokens: 5 }),
      'usage_5',
      pricing,
    );
    expect([r.promptTokens, r.completionTokens, r.totalTokens, r.usageEstimated]).toEqual([
      12,
      5,
      17,
      true,
    ]);
  });

  it('keeps exact upstream numbers for a partial request that had already reported them all', () => {
    const r = buildUsageRecord(
      observed({
        partial: true,
        usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
        estimatedCompletionTokens: 12,
      }),
      'usage_6',
      pricing,
    );
    expect([r.completionTokens, r.usageEstimated]).toEqual([12, false]);
  });
});

describe('token estimates (o200k_base)', () => {
  it('counts relayed text with a real tokenizer', async () => {
    expect(await countTextTokens('')).toBe(0);
    expect(await countTextTokens('The gateway relays every token as it arrives.')).toBe(10);
  });

  it('counts a chat prompt: message text, names, tool calls and tools, plus framing', async () => {
    const text = await countTextTokens('Capital of France?');
    expect(
      await estimatePromptTokens({ messages: [{ role: 'user', content: 'Capital of France?' }] }),
    ).toBe(text + 3 + 3);
    const withParts = await estimatePromptTokens({
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Capital of France?' },
            { type: 'image_url', image_url: { url: 'data:…' } },
          ],
        },
      ],
      tools: [{ type: 'function', function: { name: 'lookup' } }],
    });
    expect(withParts).toBeGreaterThan(text + 6);
    expect(await estimatePromptTokens({ nonsense: true })).toBe(0);
  });
});
