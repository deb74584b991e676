import { randomBytes } from 'node:crypto';

/** Wall-clock time in epoch milliseconds; injected so tests can move time by hand. */
export interface Clock {
  now(): number;
}

/** Ids for persisted records, injected so tests can make them predictable. */
export interface IdGenerator {
  /** A new id: `prefix_` plus 32 hex digits, the first 12 of them the current time. */
  next(prefix: string): string;
}

export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Time-ordered ids (a millisecond timestamp, then 80 random bits, as in UUIDv7): new rows
 * land at the right edge of a B-tree index instead of at random pages, which keeps bulk
 * inserts into PostgreSQL cheap.
 */
export function timeOrderedIds(clock: Clock = systemClock): IdGenerator {
  // Random bits drawn 4 KiB at a time: one call into the CSPRNG per ~400 ids, not per id.
  let pool = '';
  let offset = 0;
  const random20Hex = (): string => {
    if (offset + 20 > pool.length) {
      pool = randomBytes(4096).toString('hex');
      offset = 0;
    }
    offset += 20;
    return pool.slice(offset - 20, offset);
  };
  return {
    next: (prefix) => `${prefix}_${clock.now().toString(16).padStart(12, '0')}${random20Hex()}`,
  };
}
