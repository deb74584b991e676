import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Parses an upstream `text/event-stream` body into events, pulling one network chunk
 * at a time: it never reads ahead of its consumer, and when the consumer stops early
 * (return/throw) the body is destroyed so the upstream connection is released.
 */
export async function* readSse(
  body: AsyncIterable<Uint8Array> & { destroy?: (err?: Error) => unknown },
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
    if (!finished) body.destroy?.();
  }
}
