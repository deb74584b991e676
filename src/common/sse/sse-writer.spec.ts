import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { SseWriter } from './sse-writer.js';

/** A response whose socket buffer is "full" until drain() is called. */
class FakeResponse extends EventEmitter {
  /** Each entry is one write handed to the response (one chunk on the wire). */
  written: string[] = [];
  head?: { status: number; headers: Record<string, string> };
  headersSent = false;
  headerFlushes = 0;
  full = false;
  destroyed = false;
  writableEnded = false;
  writeHead(status: number, headers: Record<string, string>) {
    this.head = { status, headers };
  }
  flushHeaders() {
    this.headerFlushes++;
    this.headersSent = true;
  }
  write(s: string) {
    this.headersSent = true;
    this.written.push(s);
    return !this.full;
  }
  end(s?: string) {
    this.headersSent = true;
    if (s) this.written.push(s);
    this.writableEnded = true;
  }
  drain() {
    this.full = false;
    this.emit('drain');
  }
}

const turn = () => new Promise((r) => setImmediate(r));

const make = (heartbeatMs = 10_000) => {
  const res = new FakeResponse();
  return { res, writer: new SseWriter(res as unknown as ServerResponse, heartbeatMs) };
};

describe('SseWriter', () => {
  it('sends the headers and the frames of one event-loop turn as one write', async () => {
    const { res, writer } = make();
    writer.open();
    await writer.data('{"a":1}');
    await writer.data('{"a":2}');
    await writer.data('{"a":3}');
    expect(res.written).toEqual([]);
    await turn();
    expect(res.written).toEqual(['data: {"a":1}\n\ndata: {"a":2}\n\ndata: {"a":3}\n\n']);
    expect(res.headerFlushes).toBe(0);
    await writer.data('{"a":4}');
    await turn();
    expect(res.written).toHaveLength(2);
    writer.done();
  });

  it('flushes the headers alone when the turn that opened the stream wrote no frame', async () => {
    const { res, writer } = make();
    writer.open();
    await turn();
    expect(res.headerFlushes).toBe(1);
    expect(res.written).toEqual([]);
    writer.abort();
  });

  it('writes event-stream headers and exact data frames, ending with [DONE]', async () => {
    const { res, writer } = make();
    writer.open({ 'x-request-id': 'r1' });
    await writer.data('{"a":1}');
    await turn();
    await writer.data('{"a":2}');
    writer.done();
    expect(res.head?.status).toBe(200);
    expect(res.head?.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.head?.headers['x-request-id']).toBe('r1');
    // The frames still queued go out with the end, in order.
    expect(res.written).toEqual(['data: {"a":1}\n\n', 'data: {"a":2}\n\ndata: [DONE]\n\n']);
    await turn();
    expect(res.written).toHaveLength(2);
  });

  it('waits for drain once a write filled the socket buffer (backpressure)', async () => {
    const { res, writer } = make();
    writer.open();
    res.full = true;
    await writer.data('x');
    await turn(); // the write that finds the buffer full
    let resolved = false;
    const pending = writer.data('y').then(() => {
      resolved = true;
    });
    await turn();
    expect(resolved).toBe(false);
    res.drain();
    await pending;
    expect(resolved).toBe(true);
    writer.abort();
  });

  it('does not wait for a drain that came before the next frame', async () => {
    const { res, writer } = make();
    writer.open();
    res.full = true;
    await writer.data('x');
    await turn();
    res.drain();
    await expect(writer.data('y')).resolves.toBeUndefined();
    writer.abort();
  });

  it('does not wait forever for drain on a closed connection', async () => {
    const { res, writer } = make();
    writer.open();
    res.full = true;
    await writer.data('x');
    await turn();
    const pending = writer.data('y');
    res.emit('close');
    await expect(pending).resolves.toBeUndefined();
    writer.abort();
  });

  it('sends heartbeat comments during silence, and stops after the end', async () => {
    const { res, writer } = make(20);
    writer.open();
    const beats = () => res.written.join('').split(': keep-alive\n\n').length - 1;
    // Timers run late on a busy machine: wait for two beats, up to a generous deadline.
    for (const end = Date.now() + 2000; beats() < 2 && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(beats()).toBeGreaterThanOrEqual(2);
    writer.error({ error: { message: 'boom', type: 'server_error', param: null, code: null } });
    const after = res.written.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(res.written.length).toBe(after);
    expect(
      res.written
        .at(-1)
        ?.endsWith(
          'data: {"error":{"message":"boom","type":"server_error","param":null,"code":null}}\n\n',
        ),
    ).toBe(true);
  });
});
