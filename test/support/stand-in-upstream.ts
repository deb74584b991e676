import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in answers to one request. */
export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** A raw body (e.g. a recorded `.sse` file). Sent in `frames` pieces when `frameDelayMs` is set. */
  body?: string;
  /** Body pieces written one after another (SSE frames); `frameDelayMs` apart. */
  frames?: string[];
  frameDelayMs?: number;
  /** Wait before sending headers. */
  delayMs?: number;
  /** After this many frames, stop writing and keep the connection open (a stalled upstream). */
  stallAfterFrames?: number;
  /** Destroy the socket after this many frames (a dropped upstream). */
  dropAfterFrames?: number;
  /** Destroy the socket before any response byte (a connection reset). */
  resetBeforeHeaders?: boolean;
  /** Wait this long after the headers before the first frame (a slow first token). */
  firstFrameDelayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  /** Parsed JSON body, when it was JSON. */
  body: any;
  /** The client closed the connection before the stand-in finished its response. */
  aborted: boolean;
}

type Handler = (req: RecordedRequest) => ScriptedResponse | undefined;

/**
 * A stand-in upstream provider on 127.0.0.1: replays scripted responses (recorded-shape
 * JSON bodies and SSE streams), records every request it receives, and notices when the
 * gateway hangs up on it mid-response.
 */
export class StandInUpstream {
  readonly requests: RecordedRequest[] = [];
  /** Responses whose connection the client closed before the stand-in finished. */
  abortedResponses = 0;
  /** TCP connections accepted so far (a client that reuses keep-alive connections opens few). */
  connections = 0;
  private readonly queue: ScriptedResponse[] = [];
  private readonly routes: Array<{ match: (r: RecordedRequest) => boolean; handler: Handler }> = [];
  private server!: Server;
  url = '';

  static async start(): Promise<StandInUpstream> {
    const s = new StandInUpstream();
    s.server = createServer((req, res) => void s.handle(req, res));
    s.server.keepAliveTimeout = 5_000;
    s.server.on('connection', () => s.connections++);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  /** Responses for the next requests, in order (before any route). */
  enqueue(...responses: ScriptedResponse[]): this {
    this.queue.push(...responses);
    return this;
  }

  /** A standing answer for requests matching a method and path prefix. */
  on(method: string, pathPrefix: string, handler: Handler | ScriptedResponse): this {
    this.routes.push({
      match: (r) => r.method === method && r.path.startsWith(pathPrefix),
      handler: typeof handler === 'function' ? handler : () => handler,
    });
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.routes.length = 0;
    this.abortedResponses = 0;
  }

  lastRequest(): RecordedRequest {
    const r = this.requests.at(-1);
    if (!r) throw new Error('the stand-in received no request');
    return r;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      raw,
      body,
      aborted: false,
    };
    this.requests.push(recorded);

    const scripted = this.queue.shift() ??
      this.routes.find((r) => r.match(recorded))?.handler(recorded) ?? {
        status: 404,
        json: {
          error: {
            message: `stand-in has no answer for ${recorded.method} ${recorded.path}`,
            type: 'not_found',
          },
        },
      };
    await this.respond(res, scripted, recorded);
  }

  private async respond(
    res: ServerResponse,
    s: ScriptedResponse,
    recorded: RecordedRequest,
  ): Promise<void> {
    let finished = false;
    res.on('close', () => {
      if (finished) return;
      recorded.aborted = true;
      this.abortedResponses++;
    });
    if (s.resetBeforeHeaders) {
      res.socket?.destroy();
      return;
    }
    if (s.delayMs) await sleep(s.delayMs);
    if (res.destroyed) return;
    const isJson = s.json !== undefined;
    const frames =
      s.frames ?? (s.body !== undefined ? [s.body] : isJson ? [JSON.stringify(s.json)] : ['']);
    res.writeHead(s.status ?? 200, {
      'content-type': isJson ? 'application/json' : s.frames ? 'text/event-stream' : 'text/plain',
      ...s.headers,
    });
    res.flushHeaders();
    if (s.firstFrameDelayMs) await sleep(s.firstFrameDelayMs);
    for (let i = 0; i < frames.length; i++) {
      if (s.stallAfterFrames !== undefined && i >= s.stallAfterFrames) return; // keep it open
      if (s.dropAfterFrames !== undefined && i >= s.dropAfterFrames) {
        res.socket?.destroy();
        return;
      }
      if (res.destroyed) return;
      res.write(frames[i]);
      if (s.frameDelayMs) await sleep(s.frameDelayMs);
    }
    finished = true;
    res.end();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Splits a recorded `.sse` body into its events (each with its trailing blank line). */
export function sseFrames(body: string): string[] {
  return body
    .split(/\n\n/)
    .filter((f) => f.trim() !== '')
    .map((f) => `${f}\n\n`);
}

/** Builds SSE frames from JSON lines (`.jsonl`), optionally with `event:` lines named by `type`. */
export function framesFromJsonl(jsonl: string, withEventNames = false): string[] {
  return jsonl
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const name = withEventNames ? (JSON.parse(line) as { type: string }).type : undefined;
      return `${name ? `event: ${name}\n` : ''}data: ${line}\n\n`;
    });
}
