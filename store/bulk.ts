import { type AnyBulkWriteOperation, type Collection, type Document, MongoBulkWriteError, type OptionalUnlessRequiredId } from 'mongodb';

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

/** MongoDB's error code for a unique key that is already taken. */
const DUPLICATE_KEY = 11000;
/** Documents per insert command: inserts hold no connection per statement, so larger commands are fine. */
const INSERT_BATCH = 500;

/**
 * Inserts the documents in unordered commands and returns those whose key was taken
 * already: with keys derived from content, a taken key means an earlier line or attempt
 * inserted it. Any other write error is thrown.
 */
export async function insertManyIgnoringDuplicates<T extends Document>(
  collection: Collection<T>,
  docs: OptionalUnlessRequiredId<T>[],
  afterEach: () => void = () => undefined,
): Promise<OptionalUnlessRequiredId<T>[]> {
  const taken: OptionalUnlessRequiredId<T>[] = [];
  for (let i = 0; i < docs.length; i += INSERT_BATCH) {
    const chunk = docs.slice(i, i + INSERT_BATCH);
    try {
      await collection.insertMany(chunk, { ordered: false });
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError)) throw err;
      const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
      if (errors.some((e) => e.code !== DUPLICATE_KEY)) throw err;
      taken.push(...errors.map((e) => chunk[e.index]));
    }
    afterEach();
  }
  return taken;
}
