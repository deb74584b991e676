import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { SseWriter } from './sse-writer.js';

/** A response whose socket buffer is "full" until drain() is called. */
class FakeResponse extends EventEmitter {
  written: string[] = [];
  head?: { status: number; headers: Record<string, string> };
  full = false;
  destroyed = false;
  writableEnded = false;
  writeHead(status: number, headers: Record<string, string>) {
    this.head = { status, headers };
  }
  flushHeaders() {}
  /** Frames written while corked, per cork (the socket writes they became). */
  batches: string[][] = [];
  private corked = false;
  cork() {
    this.corked = true;
    this.batches.push([]);
  }
  uncork() {
    this.corked = false;
  }
  write(s: string) {
    if (this.corked) this.batches.at(-1)!.push(s);
    this.written.push(s);
    return !this.full;
  }
  end(s?: string) {
    if (s) this.written.push(s);
    this.writableEnded = true;
  }
  drain() {
    this.full = false;
    this.emit('drain');
  }
}

const make = (heartbeatMs = 10_000) => {
  const res = new FakeResponse();
  return { res, writer: new SseWriter(res as unknown as ServerResponse, heartbeatMs) };
};

describe('SseWriter', () => {
  it('sends the frames of one event-loop turn in one socket write, then uncorks', async () => {
    const { res, writer } = make();
    writer.open();
    await writer.data('{"a":1}');
    await writer.data('{"a":2}');
    await writer.data('{"a":3}');
    expect(res.batches).toEqual([['data: {"a":1}\n\n', 'data: {"a":2}\n\n', 'data: {"a":3}\n\n']]);
    await new Promise((r) => setImmediate(r));
    await writer.data('{"a":4}');
    expect(res.batches).toHaveLength(2);
    writer.done();
  });

  it('writes event-stream headers and exact data frames, ending with [DONE]', async () => {
    const { res, writer } = make();
    writer.open({ 'x-request-id': 'r1' });
    await writer.data('{"a":1}');
    writer.done();
    expect(res.head?.status).toBe(200);
    expect(res.head?.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.head?.headers['x-request-id']).toBe('r1');
    expect(res.written).toEqual(['data: {"a":1}\n\n', 'data: [DONE]\n\n']);
  });

  it('waits for drain when the socket buffer is full (backpressure)', async () => {
    const { res, writer } = make();
    writer.open();
    res.full = true;
    let resolved = false;
    const pending = writer.data('x').then(() => {
      resolved = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(false);
    res.drain();
    await pending;
    expect(resolved).toBe(true);
    writer.abort();
  });

  it('does not wait forever for drain on a closed connection', async () => {
    const { res, writer } = make();
    writer.open();
    res.full = true;
    const pending = writer.data('x');
    res.emit('close');
    await expect(pending).resolves.toBeUndefined();
    writer.abort();
  });

  it('sends heartbeat comments during silence, and stops after the end', async () => {
    const { res, writer } = make(20);
    writer.open();
    await new Promise((r) => setTimeout(r, 70));
    const beats = res.written.filter((w) => w === ': keep-alive\n\n').length;
    expect(beats).toBeGreaterThanOrEqual(2);
    writer.error({ error: { message: 'boom', type: 'server_error', param: null, code: null } });
    const after = res.written.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(res.written.length).toBe(after);
    expect(res.written.at(-1)).toBe(
      'data: {"error":{"message":"boom","type":"server_error","param":null,"code":null}}\n\n',
    );
  });
});
