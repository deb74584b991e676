import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Parses an upstream `text/event-stream` body into events, pulling one network chunk
 * at a time: it never reads ahead of its consumer, and when the consumer stops early
 * (return/throw) the body is destroyed so the upstream connection is released.
 */
export async function* readSse(
  body: AsyncIterable<Uint8Array> & {
    destroy?: (err?: Error) => unknown;
    dump?: (opts?: { limit: number }) => Promise<void>;
  },
): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => pending.push(e) });
  const decoder = new TextDecoder();
  let finished = false;
  try {
    for await (const piece of body) {
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
    // is already destroyed, so this never waits on a stalled upstream.
    if (!finished) {
      if (body.dump) body.dump({ limit: 64 * 1024 }).catch(() => body.destroy?.());
      else body.destroy?.();
    }
  }
}
