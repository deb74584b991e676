import { Readable } from 'node:stream';
import type { ChatCompletionChunk, Usage } from '../../openai/chat-completion.types.js';
import { ErrorCode, GatewayError } from '../../common/errors/gateway-error.js';
import { readSse } from '../../common/sse/sse-reader.js';
import { fixture } from '../../../test/support/fixtures.js';
import { framesFromJsonl } from '../../../test/support/stand-in-upstream.js';
import type { GeminiResponseContext } from './gemini-response.js';
import { geminiChunks, GeminiStreamTranslator } from './gemini-stream.js';

const KEY = 'AIzaSyTollgateUpstreamKey000000000000';
const ctx: GeminiResponseContext = {
  provider: 'gemini',
  model: 'gemini-2.5-flash',
  created: 1_774_000_000,
  fallbackId: 'chatcmpl-fallback',
};

/** The raw SSE body of a fixture, rebuilt from `.jsonl` when needed. */
const body = (file: string): string =>
  file.endsWith('.jsonl')
    ? framesFromJsonl(fixture(`gemini/${file}`)).join('')
    : fixture(`gemini/${file}`);

async function run(
  sse: string,
): Promise<{ chunks: ChatCompletionChunk[]; reported: Usage[]; error?: GatewayError }> {
  const reported: Usage[] = [];
  const translator = new GeminiStreamTranslator(ctx, (u) => reported.push(u));
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const { chunk } of geminiChunks(
      readSse(Readable.from([Buffer.from(sse)])),
      translator,
      'gemini',
      [KEY],
    )) {
      chunks.push(chunk);
    }
  } catch (err) {
    return { chunks, reported, error: err as GatewayError };
  }
  return { chunks, reported };
}

const deltas = (chunks: ChatCompletionChunk[]) =>
  chunks.flatMap((c) => c.choices.map((ch) => ch.delta));
const text = (chunks: ChatCompletionChunk[], field: 'content' | 'reasoning_content' = 'content') =>
  deltas(chunks)
    .map((d) => d[field] ?? '')
    .join('');

describe('geminiChunks', () => {
  it.each([
    'stream-text.sse',
    'stream-thoughts-function-call.sse',
    'stream-parallel-function-calls.jsonl',
    'stream-text-gemini3.jsonl',
  ])('translates %s', async (file) => {
    const { chunks, error } = await run(body(file));
    expect(error).toBeUndefined();
    expect(chunks).toMatchSnapshot();
  });

  it('opens with a role chunk and ends with exactly one usage chunk holding the last cumulative usage', async () => {
    const { chunks, reported } = await run(body('stream-text.sse'));
    expect(chunks[0].choices).toEqual([
      { index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null },
    ]);
    expect(text(chunks)).toBe('The gate opens at six and closes at ten.');
    const withUsage = chunks.filter((c) => c.usage);
    expect(withUsage).toHaveLength(1);
    expect(chunks.at(-1)).toBe(withUsage[0]);
    expect(withUsage[0].choices).toEqual([]);
    expect(withUsage[0].usage).toMatchObject({
      prompt_tokens: 12,
      completion_tokens: 10 + 31,
      total_tokens: 53,
    });
    expect(chunks.at(-2)?.choices).toEqual([{ index: 0, delta: {}, finish_reason: 'stop' }]);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(reported.map((u) => u.completion_tokens)).toEqual([33, 36, 41]);
  });

  it('reports usage only when it changes', async () => {
    const { reported } = await run(body('stream-parallel-function-calls.jsonl'));
    expect(reported.map((u) => u.total_tokens)).toEqual([151, 163, 175]);
  });

  it('streams thoughts as reasoning_content and a whole call as one delta, finishing with tool_calls', async () => {
    const { chunks } = await run(body('stream-thoughts-function-call.sse'));
    expect(text(chunks, 'reasoning_content')).toMatch(
      /^\*\*Finding the right port\*\*[\s\S]*\*\*Preparing the lookup\*\*/,
    );
    expect(text(chunks)).toBe("Checking today's sailings.\n");
    const calls = deltas(chunks).flatMap((d) => d.tool_calls ?? []);
    expect(calls).toEqual([
      {
        index: 0,
        id: expect.stringMatching(/^call_[0-9a-f]{24}$/),
        type: 'function',
        function: { name: 'get_timetable', arguments: '{"port":"bergen","date":"2026-03-14"}' },
      },
    ]);
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter(Boolean)).toEqual([
      'tool_calls',
    ]);
  });

  it('counts tool-call indexes across events and keeps the signature on its call', async () => {
    const sse = body('stream-parallel-function-calls.jsonl');
    const { chunks } = await run(sse);
    const calls = deltas(chunks).flatMap((d) => d.tool_calls ?? []);
    expect(calls.map((c) => [c.index, c.function?.name, c.function?.arguments])).toEqual([
      [0, 'get_weather', '{"city":"Oslo","unit":"c"}'],
      [1, 'get_weather', '{"city":"Lima","unit":"c"}'],
    ]);
    expect(calls[0].extra_content).toEqual({
      google: { thought_signature: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/) },
    });
    expect(calls[1].extra_content).toBeUndefined();
    expect(calls[0].id).not.toBe(calls[1].id);
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter(Boolean)).toEqual([
      'tool_calls',
    ]);
  });

  it('gives the streamed calls the same ids as the non-streamed form of the response', async () => {
    const { chunks } = await run(body('stream-parallel-function-calls.jsonl'));
    const translator = new GeminiStreamTranslator(ctx);
    const first = JSON.parse(
      fixture('gemini/stream-parallel-function-calls.jsonl').split('\n')[1],
    ) as never;
    const again = translator
      .push(first)
      .flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    expect(again[0].id).toBe(deltas(chunks).flatMap((d) => d.tool_calls ?? [])[0].id);
  });

  it('drops the signature-only empty text part that ends a Gemini 3 answer', async () => {
    const { chunks } = await run(body('stream-text-gemini3.jsonl'));
    expect(text(chunks)).toBe('Three bridges cross the river inside the old town.');
    expect(deltas(chunks).every((d) => d.content !== '' || d.role === 'assistant')).toBe(true);
    expect(chunks.at(-1)?.usage).toMatchObject({
      completion_tokens_details: { reasoning_tokens: 152 },
    });
  });

  it('throws a mid-stream error event as a GatewayError after relaying what came before', async () => {
    const { chunks, error, reported } = await run(body('stream-error-midstream.sse'));
    expect(text(chunks)).toBe('Counting the lanes');
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      code: ErrorCode.Upstream,
      status: 503,
      message: 'The model is overloaded. Please try again later.',
    });
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(reported).toHaveLength(1);
  });

  it('throws a blocked prompt as a content_filter error, usage still reported', async () => {
    const { chunks, error, reported } = await run(body('stream-prompt-blocked.sse'));
    expect(chunks).toEqual([]);
    expect(error).toMatchObject({
      status: 400,
      wireCode: 'content_filter',
      message: expect.stringContaining('SAFETY'),
    });
    expect(reported).toEqual([expect.objectContaining({ prompt_tokens: 10, total_tokens: 10 })]);
  });

  it('fails a stream that ends before its finishReason instead of passing it off as complete', async () => {
    const cut = body('stream-text.sse').split('\n\n').slice(0, 2).join('\n\n') + '\n\n';
    const { chunks, error } = await run(cut);
    expect(text(chunks)).toBe('The gate opens at six');
    expect(error).toMatchObject({ code: ErrorCode.UpstreamInvalidResponse });
  });

  it('fails on an empty body and on malformed JSON', async () => {
    expect((await run('')).error).toMatchObject({ code: ErrorCode.UpstreamInvalidResponse });
    expect((await run('data: {"candidates": [\n\n')).error).toMatchObject({
      code: ErrorCode.UpstreamInvalidResponse,
    });
  });

  it('reads CRLF-framed events the same way', async () => {
    const crlf = body('stream-text.sse').replaceAll('\n', '\r\n');
    expect(text((await run(crlf)).chunks)).toBe('The gate opens at six and closes at ten.');
  });

  it('keeps candidates apart when n > 1', async () => {
    const event = (index: number, t: string, finishReason?: string) => ({
      candidates: [
        {
          content: { parts: [{ text: t }], role: 'model' },
          index,
          ...(finishReason ? { finishReason } : {}),
        },
      ],
      responseId: 'multi',
    });
    const sse = [event(0, 'A'), event(1, 'B'), event(0, 'a', 'STOP'), event(1, 'b', 'MAX_TOKENS')]
      .map((e) => `data: ${JSON.stringify(e)}\n\n`)
      .join('');
    const { chunks, error } = await run(sse);
    expect(error).toBeUndefined();
    const byChoice = (i: number) =>
      chunks.flatMap((c) =>
        c.choices.filter((ch) => ch.index === i).map((ch) => ch.delta.content ?? ch.finish_reason),
      );
    expect(byChoice(0)).toEqual(['', 'A', 'a', 'stop']);
    expect(byChoice(1)).toEqual(['', 'B', 'b', 'length']);
  });
});
