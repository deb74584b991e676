import type { Kysely } from 'kysely';
import type { StorageSchema } from './schema.js';
import { guardStorage } from './storage-errors.js';

/** The admin tables listed a page at a time: each has `created_at` and `id`. */
type ListedTable = 'api_keys' | 'teams';

/**
 * One page of an admin table, newest first (`id` breaks ties, so offset pages neither
 * skip nor repeat a row), and how many rows the table has.
 */
export async function newestFirstPage<T extends ListedTable>(
  db: Kysely<StorageSchema>,
  table: T,
  limit: number,
  offset: number,
): Promise<{ rows: StorageSchema[T][]; total: number }> {
  // Queried as the union (Kysely cannot type a generic table name); T's rows come back.
  const from: ListedTable = table;
  const [rows, count] = await guardStorage(
    Promise.all([
      db
        .selectFrom(from)
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .offset(offset)
        .execute(),
      db
        .selectFrom(from)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]),
  );
  return { rows: rows as unknown as StorageSchema[T][], total: Number(count.n) };
}
