import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** How long the rest of a body left early may take to arrive before its connection is dropped. */
const DRAIN_MS = 1_000;

/**
 * Parses an upstream `text/event-stream` body into events, pulling one network chunk
 * at a time: it never reads ahead of its consumer, and when the consumer stops early
 * (return/throw) the body is destroyed so the upstream connection is released.
 */
export async function* readSse(
  body: AsyncIterable<Uint8Array> & {
    destroy?: (err?: Error) => unknown;
    dump?: (opts?: { limit: number; signal?: AbortSignal }) => Promise<unknown>;
    iterator?: (opts: { destroyOnReturn: boolean }) => AsyncIterable<Uint8Array>;
  },
): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => pending.push(e) });
  const decoder = new TextDecoder();
  let finished = false;
  // A plain `for await` over a Node stream destroys it when the loop is left early, and an
  // upstream body destroyed before its end costs its connection: the next request would
  // pay a new TCP (and TLS) handshake. Leaving after `[DONE]` is normal, so the body is
  // kept and drained below instead.
  const pieces = body.iterator ? body.iterator({ destroyOnReturn: false }) : body;
  try {
    for await (const piece of pieces) {
      parser.feed(decoder.decode(piece, { stream: true }));
      while (pending.length > 0) yield pending.shift()!;
    }
    parser.feed(decoder.decode());
    // A final event without its blank line still counts.
    parser.feed('\n\n');
    while (pending.length > 0) yield pending.shift()!;
    finished = true;
  } finally {
    // Stopped early (after [DONE], an error event, or a client abort): drain a little so a
    // healthy keep-alive connection can be reused, else drop it. An aborted request's body
    // is already destroyed; an upstream that stalls instead of ending is dropped after 1 s.
    if (!finished) {
      if (body.dump) {
        body
          .dump({ limit: 64 * 1024, signal: AbortSignal.timeout(DRAIN_MS) })
          .catch(() => body.destroy?.());
      } else {
        body.destroy?.();
      }
    }
  }
}
