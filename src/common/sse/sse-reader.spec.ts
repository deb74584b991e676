import { jest } from '@jest/globals';
import { Readable } from 'node:stream';
import { readSse } from './sse-reader.js';

async function* pieces(...parts: string[]) {
  for (const p of parts) yield new TextEncoder().encode(p);
}

async function all(iter: AsyncIterable<{ event?: string; data: string }>) {
  const out: Array<{ event?: string; data: string }> = [];
  for await (const e of iter) out.push({ event: e.event, data: e.data });
  return out;
}

describe('readSse', () => {
  it('reassembles events split across network chunks, multi-byte characters included', async () => {
    const euro = new TextEncoder().encode('€');
    async function* body() {
      yield new TextEncoder().encode('event: message_start\ndata: {"a":"');
      yield euro.slice(0, 1);
      yield euro.slice(1);
      yield new TextEncoder().encode('"}\n\ndata: [DONE]\n\n');
    }
    expect(await all(readSse(body()))).toEqual([
      { event: 'message_start', data: '{"a":"€"}' },
      { event: undefined, data: '[DONE]' },
    ]);
  });

  it('ignores comments and keeps a final event that lacks its blank line', async () => {
    expect(await all(readSse(pieces(': ping\n\n', 'data: {"x":1}\n\n', 'data: {"y":2}')))).toEqual([
      { event: undefined, data: '{"x":1}' },
      { event: undefined, data: '{"y":2}' },
    ]);
  });

  it('tolerates CRLF framing', async () => {
    expect(await all(readSse(pieces('data: one\r\n\r\ndata: two\r\n\r\n')))).toEqual([
      { event: undefined, data: 'one' },
      { event: undefined, data: 'two' },
    ]);
  });

  it('releases the body when the consumer stops early', async () => {
    let destroyed = false;
    const body = Object.assign(pieces('data: 1\n\n', 'data: 2\n\n'), {
      destroy: () => {
        destroyed = true;
      },
    });
    for await (const _e of readSse(body)) break;
    expect(destroyed).toBe(true);
  });

  it('drains a Node stream the consumer leaves early instead of destroying it, so its connection is reused', async () => {
    const dump = jest.fn(async () => null);
    const body = Object.assign(
      Readable.from([
        Buffer.from('data: 1\n\n'),
        Buffer.from('data: [DONE]\n\n'),
        Buffer.from(': end\n\n'),
      ]),
      { dump },
    );
    for await (const e of readSse(body)) if (e.data === '[DONE]') break;
    expect(body.destroyed).toBe(false);
    expect(dump).toHaveBeenCalledWith({ limit: 64 * 1024, signal: expect.any(AbortSignal) });
  });
});
