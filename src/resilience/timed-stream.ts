import type { StreamChunk } from '../providers/provider-adapter.js';
import type { AttemptDeadline } from './attempt-deadline.js';

/**
 * A stream under its attempt's deadline: each event moves the deadline on (first token →
 * idle gaps), a failure caused by the deadline is reported as that timeout, and the
 * deadline ends with the stream. With `awaitFirst` the first event is read before this
 * resolves, so a stream that never produces one fails while it can still be retried.
 */
export async function timedStream(
  chunks: AsyncIterable<StreamChunk>,
  deadline: AttemptDeadline,
  awaitFirst: boolean,
): Promise<AsyncIterable<StreamChunk>> {
  const inner = chunks[Symbol.asyncIterator]();
  let first: IteratorResult<StreamChunk> | undefined;
  if (awaitFirst) {
    try {
      first = await inner.next();
    } catch (err) {
      throw deadline.error ?? err;
    }
    deadline.event();
    if (first.done) deadline.dispose();
  }
  const iterator: AsyncIterator<StreamChunk> = {
    next: async () => {
      if (first !== undefined) {
        const r = first;
        first = undefined;
        return r;
      }
      let r: IteratorResult<StreamChunk>;
      try {
        r = await inner.next();
      } catch (err) {
        deadline.dispose();
        throw deadline.error ?? err;
      }
      if (r.done) deadline.dispose();
      else deadline.event();
      return r;
    },
    return: async (value?: unknown) => {
      deadline.dispose();
      await inner.return?.(value);
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}
