import { fixture, jsonFixture } from '../../../test/support/fixtures.js';
import { framesFromJsonl } from '../../../test/support/stand-in-upstream.js';
import { convertGeminiUsage } from './gemini-usage.js';
import type { GeminiGenerateContentResponse, GeminiUsageMetadata } from './gemini.types.js';

const usageOf = (path: string): GeminiUsageMetadata =>
  jsonFixture<GeminiGenerateContentResponse>(`gemini/${path}`).usageMetadata!;

/** Every usageMetadata object in every Gemini fixture, streams included. */
function allFixtureUsages(): GeminiUsageMetadata[] {
  const out: GeminiUsageMetadata[] = [];
  const json = [
    'generate-content-text.json',
    'generate-content-thoughts-function-call.json',
    'generate-content-parallel-function-calls.json',
    'generate-content-candidates.json',
    'generate-content-safety.json',
    'generate-content-prompt-blocked.json',
  ];
  for (const f of json) out.push(usageOf(f));
  const sse = ['stream-text.sse', 'stream-thoughts-function-call.sse', 'stream-prompt-blocked.sse'];
  const lines = sse.flatMap((f) =>
    fixture(`gemini/${f}`)
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => l.slice(6)),
  );
  const jsonl = ['stream-parallel-function-calls.jsonl', 'stream-text-gemini3.jsonl'].flatMap((f) =>
    framesFromJsonl(fixture(`gemini/${f}`)).map((frame) => frame.slice(6).trim()),
  );
  for (const line of [...lines, ...jsonl]) {
    const usage = (JSON.parse(line) as GeminiGenerateContentResponse).usageMetadata;
    if (usage) out.push(usage);
  }
  return out;
}

describe('convertGeminiUsage', () => {
  it('counts thoughts inside completion tokens and keeps the native object unchanged', () => {
    const raw = usageOf('generate-content-text.json');
    const usage = convertGeminiUsage(raw);
    expect(usage).toEqual({
      prompt_tokens: 14,
      completion_tokens: 19 + 25,
      total_tokens: 58,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 25 },
      raw_usage: raw,
    });
  });

  it('reports the cached part of the prompt, which promptTokenCount already includes', () => {
    const usage = convertGeminiUsage(usageOf('generate-content-parallel-function-calls.json'));
    expect(usage).toMatchObject({
      prompt_tokens: 310,
      prompt_tokens_details: { cached_tokens: 256 },
      completion_tokens: 24 + 140,
      completion_tokens_details: { reasoning_tokens: 140 },
      total_tokens: 474,
    });
  });

  it('puts tool-use prompt tokens on the prompt side', () => {
    const usage = convertGeminiUsage({
      promptTokenCount: 40,
      candidatesTokenCount: 30,
      toolUsePromptTokenCount: 120,
      thoughtsTokenCount: 10,
      totalTokenCount: 200,
    });
    expect(usage).toMatchObject({ prompt_tokens: 160, completion_tokens: 40, total_tokens: 200 });
  });

  it('treats missing counts as zero (a thought-only stream event has no candidatesTokenCount)', () => {
    expect(
      convertGeminiUsage({ promptTokenCount: 204, thoughtsTokenCount: 48, totalTokenCount: 252 }),
    ).toMatchObject({
      prompt_tokens: 204,
      completion_tokens: 48,
      total_tokens: 252,
    });
    expect(convertGeminiUsage({})).toMatchObject({
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: 0,
    });
  });

  it('agrees with Google totalTokenCount on every recorded shape', () => {
    const usages = allFixtureUsages();
    expect(usages.length).toBeGreaterThan(15);
    for (const raw of usages)
      expect(convertGeminiUsage(raw).total_tokens).toBe(raw.totalTokenCount);
  });
});
