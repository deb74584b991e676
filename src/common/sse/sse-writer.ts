import type { ServerResponse } from 'node:http';
import type { OpenAIErrorBody } from '../errors/error-envelope.js';

/**
 * Writes an OpenAI-style event stream: `data: …\n\n` frames, heartbeat comments during
 * silences, backpressure respected, `data: [DONE]` or one error event at the end.
 *
 * What is written in one turn of the event loop (the events of one upstream read, and the
 * headers with the first of them) is sent as one chunk in one socket write at the end of
 * the turn: a `res.write` per frame cost a chunked-encoding envelope each, and flushing
 * the headers on their own a syscall per stream.
 */
export class SseWriter {
  private heartbeat?: NodeJS.Timeout;
  /** Frames of the current turn, not yet handed to the response. */
  private pending = '';
  private flushScheduled = false;
  /** Set while the socket buffer is full: frames wait for it (`drain` or `close`). */
  private unblocked?: Promise<void>;

  constructor(
    private readonly res: ServerResponse,
    private readonly heartbeatMs: number,
  ) {}

  /**
   * No `connection` header of our own: Node answers the client's (keep-alive, or close
   * for `Connection: close` and HTTP/1.0, where the end of the stream is the close).
   * `limitHeaders` are the caller's `x-ratelimit-*` headers, when its key has limits.
   * The headers leave at the end of this turn, with whatever frames it produced.
   */
  open(extraHeaders: Record<string, string> = {}, limitHeaders?: Record<string, string>): void {
    this.res.writeHead(200, {
      ...limitHeaders,
      ...extraHeaders,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    this.scheduleFlush();
    this.armHeartbeat();
  }

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  /**
   * Queues one data frame for this turn's write. Resolves at once unless an earlier
   * write filled the socket buffer, in which case it waits for `drain` (so at most one
   * turn's frames sit in memory beyond the socket's buffer).
   */
  async data(json: string): Promise<void> {
    if (this.closed) return;
    this.armHeartbeat();
    this.enqueue(`data: ${json}\n\n`);
    if (this.unblocked) await this.unblocked;
  }

  done(): void {
    this.finish('data: [DONE]\n\n');
  }

  error(body: OpenAIErrorBody): void {
    this.finish(`data: ${JSON.stringify(body)}\n\n`);
  }

  /** Stops the heartbeat and ends the response without a trailer (client is gone). */
  abort(): void {
    this.stopHeartbeat();
    this.pending = '';
    if (!this.res.writableEnded) this.res.end();
  }

  private enqueue(frame: string): void {
    this.pending += frame;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const chunk = this.pending;
    this.pending = '';
    if (this.closed) return;
    if (chunk === '') {
      if (!this.res.headersSent) this.res.flushHeaders();
      return;
    }
    if (!this.res.write(chunk)) this.unblocked ??= this.whenDrained();
  };

  private finish(last: string): void {
    this.stopHeartbeat();
    if (this.closed) return;
    const chunk = this.pending + last;
    this.pending = '';
    this.res.end(chunk);
  }

  private whenDrained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.unblocked = undefined;
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  private armHeartbeat(): void {
    if (this.heartbeat) {
      this.heartbeat.refresh();
      return;
    }
    this.heartbeat = setInterval(() => {
      if (this.closed) this.stopHeartbeat();
      else this.enqueue(': keep-alive\n\n');
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
