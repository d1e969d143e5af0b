import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';

/**
 * Statements per write command. FerretDB 1.24 keeps a PostgreSQL connection per
 * matched update statement until its command ends (see stack/postgres.ts); small
 * commands keep it clear of its pool limit and cost MongoDB little.
 */
export const WRITE_BATCH = 20;

/**
 * Sends the operations as unordered bulk writes of at most {@link WRITE_BATCH}
 * statements, one after another, calling `afterEach` after each (an activity heartbeats there).
 */
export async function bulkWriteInChunks<T extends Document>(
  collection: Collection<T>,
  ops: AnyBulkWriteOperation<T>[],
  afterEach: () => void = () => undefined,
): Promise<void> {
  for (let i = 0; i < ops.length; i += WRITE_BATCH) {
    await collection.bulkWrite(ops.slice(i, i + WRITE_BATCH), { ordered: false });
    afterEach();
  }
}
