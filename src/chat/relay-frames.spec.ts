import { RequestContext } from '../common/context/request-context.js';
import type { StreamChunk } from '../providers/provider-adapter.js';
import type { ChatCompletionChunk } from '../openai/chat-completion.types.js';
import { relayFrames } from './chat.service.js';

const chunk = (
  delta: Record<string, unknown>,
  extra: Partial<ChatCompletionChunk> = {},
): ChatCompletionChunk => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: null }],
  ...extra,
});
const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function collect(chunks: StreamChunk[], includeUsage: boolean) {
  const ctx = new RequestContext('r1');
  ctx.includeUsage = includeUsage;
  async function* source() {
    yield* chunks;
  }
  const frames: string[] = [];
  for await (const f of relayFrames(source(), ctx)) frames.push(f);
  return { frames, ctx };
}

describe('relayFrames', () => {
  const stream: StreamChunk[] = [
    { chunk: chunk({ role: 'assistant', content: '' }), raw: 'RAW-ROLE' },
    { chunk: chunk({ content: 'Hel' }), raw: 'RAW-1' },
    { chunk: chunk({ content: 'lo' }) },
    { chunk: { ...chunk({}), choices: [], usage } },
  ];

  it('writes the upstream text unchanged when it has it, and serialises translated chunks', async () => {
    const { frames } = await collect(stream, true);
    expect(frames.slice(0, 2)).toEqual(['RAW-ROLE', 'RAW-1']);
    expect(JSON.parse(frames[2]).choices[0].delta.content).toBe('lo');
  });

  it('captures usage always, but relays the usage chunk only when the client asked', async () => {
    const withUsage = await collect(stream, true);
    expect(withUsage.frames).toHaveLength(4);
    expect(withUsage.ctx.usage).toEqual(usage);
    const without = await collect(stream, false);
    expect(without.frames).toHaveLength(3);
    expect(without.ctx.usage).toEqual(usage);
  });

  it('strips usage from a final chunk that also carries choices (OpenRouter style)', async () => {
    const { frames, ctx } = await collect([{ chunk: chunk({}, { usage }), raw: 'RAW' }], false);
    expect(JSON.parse(frames[0])).not.toHaveProperty('usage');
    expect(ctx.usage).toEqual(usage);
  });

  it('records time to first token at the first content and keeps the relayed text', async () => {
    const ctx = new RequestContext('r1');
    const marks: Record<string, number> = {};
    // The role-only chunk comes first; content arrives 30 ms later, more 30 ms after that.
    async function* source(): AsyncGenerator<StreamChunk> {
      yield stream[0];
      await sleep(30);
      marks.beforeContent = ctx.elapsedMs();
      yield stream[1];
      marks.afterContent = ctx.elapsedMs();
      await sleep(30);
      yield stream[2];
    }
    for await (const _ of relayFrames(source(), ctx));
    expect(ctx.ttftMs).toBeGreaterThanOrEqual(marks.beforeContent);
    expect(ctx.ttftMs).toBeLessThanOrEqual(marks.afterContent);
    expect(marks.beforeContent).toBeGreaterThanOrEqual(29);
    expect(ctx.relayedText?.join('')).toBe('Hello');
  });

  it('counts each wait for the next upstream chunk as upstream time, not overhead', async () => {
    const ctx = new RequestContext('r1');
    async function* slow() {
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 40));
        yield { chunk: chunk({ content: `t${i}` }) };
      }
    }
    for await (const _frame of relayFrames(slow(), ctx)) {
      // a consumer that writes at once
    }
    expect(ctx.upstreamMs).toBeGreaterThanOrEqual(180);
    expect(ctx.overheadMs()).toBeLessThan(ctx.upstreamMs / 4);
  });

  it('cancels the upstream when the consumer stops early, and not after the upstream failed', async () => {
    let returned = 0;
    const upstream = (fail: boolean): AsyncIterable<StreamChunk> => ({
      [Symbol.asyncIterator]: () => {
        let i = 0;
        return {
          next: async () => {
            if (fail && i > 0) throw new Error('upstream dropped');
            i++;
            return { done: false, value: { chunk: chunk({ content: 'x' }) } };
          },
          return: async () => {
            returned++;
            return { done: true, value: undefined };
          },
        };
      },
    });
    for await (const _frame of relayFrames(upstream(false), new RequestContext('r1'))) break;
    expect(returned).toBe(1);
    const ctx = new RequestContext('r2');
    await expect(async () => {
      for await (const _frame of relayFrames(upstream(true), ctx)) {
        // keeps reading until the upstream fails
      }
    }).rejects.toThrow('upstream dropped');
    expect(returned).toBe(1);
  });

  it('records no time to first token for a stream without output', async () => {
    const { ctx } = await collect([stream[0], stream[3]], true);
    expect(ctx.ttftMs).toBeUndefined();
  });
});
