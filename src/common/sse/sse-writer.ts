import type { ServerResponse } from 'node:http';
import type { OpenAIErrorBody } from '../errors/error-envelope.js';

/**
 * Writes an OpenAI-style event stream: `data: …\n\n` frames, heartbeat comments during
 * silences, backpressure respected, `data: [DONE]` or one error event at the end.
 */
export class SseWriter {
  private heartbeat?: NodeJS.Timeout;
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.res.uncork();
  };

  constructor(
    private readonly res: ServerResponse,
    private readonly heartbeatMs: number,
  ) {}

  /**
   * No `connection` header of our own: Node answers the client's (keep-alive, or close
   * for `Connection: close` and HTTP/1.0, where the end of the stream is the close).
   * `limitHeaders` are the caller's `x-ratelimit-*` headers, when its key has limits.
   */
  open(extraHeaders: Record<string, string> = {}, limitHeaders?: Record<string, string>): void {
    this.res.writeHead(200, {
      ...limitHeaders,
      ...extraHeaders,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    this.res.flushHeaders();
    this.armHeartbeat();
  }

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  /**
   * Writes one data frame; resolves when the socket can take more. Frames written in the
   * same turn of the event loop (the events of one upstream read) go out in one socket
   * write: the response is corked at the first and uncorked once the turn's I/O is done.
   * A write per frame cost a syscall and a chunked-encoding envelope each.
   */
  async data(json: string): Promise<void> {
    if (this.closed) return;
    this.armHeartbeat();
    if (!this.corked) {
      this.corked = true;
      this.res.cork();
      setImmediate(this.uncork);
    }
    if (!this.res.write(`data: ${json}\n\n`)) await this.drained();
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
    if (!this.res.writableEnded) this.res.end();
  }

  private finish(last: string): void {
    this.stopHeartbeat();
    if (this.closed) return;
    this.res.end(last);
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
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
      else this.res.write(': keep-alive\n\n');
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
