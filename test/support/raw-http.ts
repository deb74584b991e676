import { connect } from 'node:net';

export interface RawExchange {
  status: number;
  headers: Record<string, string>;
  /** The body, de-chunked when it was sent chunked. */
  body: string;
  /** The server closed the connection before `waitMs` passed. */
  closedByServer: boolean;
  /** Milliseconds from connecting until the first response byte. */
  firstByteMs: number;
}

/**
 * One HTTP exchange over a raw socket, for what `fetch` hides: partial or slow bodies,
 * HTTP/1.0, `Connection: close`, and whether the server closes the connection. Writes the
 * parts `gapMs` apart, then waits for the whole response (with `untilClose`, until the
 * server closes) or until `waitMs` passes.
 */
export function rawExchange(
  url: string,
  parts: Array<string | Buffer>,
  options: { waitMs?: number; gapMs?: number; untilClose?: boolean } = {},
): Promise<RawExchange> {
  const { port, hostname } = new URL(url);
  const waitMs = options.waitMs ?? 2_000;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstByteMs = -1;
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname);
    let done = false;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      try {
        resolve({ ...parse(Buffer.concat(chunks).toString('utf8')), closedByServer, firstByteMs });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (c: Buffer) => {
      if (firstByteMs < 0) firstByteMs = performance.now() - started;
      chunks.push(c);
      if (!options.untilClose && complete(Buffer.concat(chunks).toString('utf8'))) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => {
      void (async () => {
        for (const [i, part] of parts.entries()) {
          if (i > 0 && options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
          if (socket.destroyed) return;
          socket.write(part);
        }
      })();
    });
  });
}

/** Whether `text` holds a whole response (by content-length or the last chunk). */
function complete(text: string): boolean {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return false;
  const head = text.slice(0, split).toLowerCase();
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head);
  if (length) return Buffer.byteLength(text.slice(split + 4)) >= Number(length[1]);
  if (head.includes('transfer-encoding: chunked')) return text.endsWith('\r\n0\r\n\r\n');
  return false;
}

function parse(text: string): Omit<RawExchange, 'closedByServer' | 'firstByteMs'> {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0)
    throw new Error(`no complete response head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

function dechunk(raw: string): string {
  let out = '';
  let rest = raw;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    if (eol < 0) return out;
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}
