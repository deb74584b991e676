import { ErrorCode } from '../../common/errors/gateway-error.js';
import { jsonFixture } from '../../../test/support/fixtures.js';
import {
  sortCandidateParts,
  toChatCompletion,
  type GeminiResponseContext,
} from './gemini-response.js';
import type { GeminiGenerateContentResponse } from './gemini.types.js';

const ctx: GeminiResponseContext = {
  provider: 'gemini',
  model: 'gemini-2.5-flash',
  created: 1_774_000_000,
  fallbackId: 'chatcmpl-fallback',
};
const load = (file: string) => jsonFixture<GeminiGenerateContentResponse>(`gemini/${file}`);
const translate = (file: string) => toChatCompletion(load(file), ctx);

describe('toChatCompletion', () => {
  it.each([
    'generate-content-text.json',
    'generate-content-thoughts-function-call.json',
    'generate-content-parallel-function-calls.json',
    'generate-content-candidates.json',
    'generate-content-safety.json',
  ])('translates %s', (file) => {
    expect(translate(file)).toMatchSnapshot();
  });

  it('keeps responseId, modelVersion and the native usage', () => {
    const raw = load('generate-content-text.json');
    const out = toChatCompletion(raw, ctx);
    expect(out).toMatchObject({
      id: raw.responseId,
      object: 'chat.completion',
      created: ctx.created,
      model: 'gemini-2.5-flash',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content:
              'A toll gate lets traffic through one vehicle at a time and keeps a record of every passage.',
          },
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 14,
        completion_tokens: 44,
        total_tokens: 58,
        raw_usage: raw.usageMetadata,
      },
    });
  });

  it('falls back to the requested model and a generated id', () => {
    const { responseId: _id, modelVersion: _mv, ...raw } = load('generate-content-text.json');
    expect(toChatCompletion(raw, ctx)).toMatchObject({
      id: 'chatcmpl-fallback',
      model: 'gemini-2.5-flash',
    });
  });

  it('puts thoughts in reasoning_content and a STOP with a call becomes tool_calls', () => {
    const choice = translate('generate-content-thoughts-function-call.json').choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.reasoning_content).toMatch(/^\*\*Checking the ferry timetable\*\*/);
    expect(choice.message.content).toBe("Let me look up today's sailings.\n");
    expect(choice.message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_[0-9a-f]{24}$/),
        type: 'function',
        function: { name: 'get_timetable', arguments: '{"port":"bergen","date":"2026-03-14"}' },
      },
    ]);
  });

  it('exposes the signature of a parallel call on that call only, with unique ids', () => {
    const raw = load('generate-content-parallel-function-calls.json');
    const signature = raw.candidates![0].content!.parts![0].thoughtSignature;
    const message = toChatCompletion(raw, ctx).choices[0].message;
    const calls = message.tool_calls!;
    expect(message.content).toBeNull();
    expect(calls.map((c) => JSON.parse(c.function.arguments) as unknown)).toEqual([
      { city: 'Oslo', unit: 'c' },
      { city: 'Lima', unit: 'c' },
    ]);
    expect(calls[0].extra_content).toEqual({ google: { thought_signature: signature } });
    expect(calls[1]).not.toHaveProperty('extra_content');
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it('turns candidates into choices with their own finish reasons', () => {
    const out = translate('generate-content-candidates.json');
    expect(out.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, 'Nimbus.', 'stop'],
      [1, 'Cirrus, stratus and cumu', 'length'],
    ]);
  });

  it('reports a safety stop as content_filter with no content', () => {
    expect(translate('generate-content-safety.json').choices[0]).toMatchObject({
      message: { content: null },
      finish_reason: 'content_filter',
    });
  });

  it('answers a blocked prompt with a 400 content_filter error', () => {
    expect(() => translate('generate-content-prompt-blocked.json')).toThrow(
      expect.objectContaining({
        code: ErrorCode.Upstream,
        status: 400,
        wireCode: 'content_filter',
      }),
    );
  });

  it('treats a response without candidates or block reason as invalid', () => {
    expect(() => toChatCompletion({ usageMetadata: {} }, ctx)).toThrow(
      expect.objectContaining({ code: ErrorCode.UpstreamInvalidResponse }),
    );
  });
});

describe('sortCandidateParts', () => {
  it('drops empty text and text-part signatures, numbering calls from the given ordinal', () => {
    const out = sortCandidateParts(
      [
        { text: '', thoughtSignature: 'c2ln' },
        { text: 'Hi', thoughtSignature: 'c2ln' },
        { functionCall: { name: 'f', args: { a: 1 } } },
      ],
      'resp',
      0,
      3,
    );
    expect(out).toMatchObject({ text: 'Hi', hasText: true, reasoning: '' });
    expect(out.toolCalls).toHaveLength(1);
    expect(out).not.toHaveProperty('toolCalls.0.extra_content');
  });
});
