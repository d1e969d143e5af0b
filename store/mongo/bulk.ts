import { type AnyBulkWriteOperation, BSON, type Collection, type Document, MongoBulkWriteError } from 'mongodb';
import { classifyWriteError, isStoreUnavailable, refusalReason } from './store-errors';

/**
 * Statements per write command. FerretDB 1.24 keeps a PostgreSQL connection per
 * matched update statement until its command ends (see stack/postgres.ts); small
 * commands keep it clear of its pool limit and cost MongoDB little.
 */
export const WRITE_BATCH = 20;

/** Documents per insert command: inserts hold no connection per statement, so larger commands are fine. */
export const INSERT_BATCH = 500;

/**
 * Sends the operations as unordered bulk writes of at most {@link WRITE_BATCH}
 * statements, one after another, calling `afterEach` after each (an activity heartbeats there).
 * Any write error is thrown.
 */
export async function bulkWriteInChunks<T extends Document>(collection: Collection<T>, ops: AnyBulkWriteOperation<T>[], afterEach: () => void = () => undefined): Promise<void> {
  for (let i = 0; i < ops.length; i += WRITE_BATCH) {
    await collection.bulkWrite(ops.slice(i, i + WRITE_BATCH), { ordered: false });
    afterEach();
  }
}

/** What became of idempotent writes that did not simply apply, by index into the operations given. */
export interface IdempotentWriteResult {
  /** Inserts whose key was taken already: an earlier line or attempt wrote it. */
  taken: number[];
  /** Operations the store refused for what the document holds, with the reason in safe words. */
  refused: { index: number; reason: string }[];
  /** Operations that neither wrote nor found their key taken: a replace whose filter matched nothing (the version changed). */
  missed: number;
}

/**
 * Runs operations that are harmless to repeat (inserts under keys derived from content,
 * replaces filtered on the version read) in unordered commands of `batch`, and says which
 * inserts found their key taken, which operations the store refused, and how many
 * matched nothing.
 *
 * Only a duplicate-key error is read as a taken key. Any other failure of a command sends
 * its operations again one at a time, so each refusal is pinned on its own document: FerretDB
 * reports a refused document as a command error with no write errors and leaves the rest of
 * the command unwritten. A failure that is neither a taken key nor a refusal is thrown, for
 * the caller to retry.
 */
export async function writeIdempotent<T extends Document>(
  collection: Collection<T>,
  ops: AnyBulkWriteOperation<T>[],
  batch: number,
  afterEach: () => void = () => undefined,
): Promise<IdempotentWriteResult> {
  const result: IdempotentWriteResult = { taken: [], refused: [], missed: 0 };
  for (let start = 0; start < ops.length; start += batch) {
    const chunk = ops.slice(start, start + batch);
    try {
      result.missed += chunk.length - applied(await collection.bulkWrite(chunk, { ordered: false }));
    } catch (err) {
      // A store that does not answer, or any error that is not about the documents, is the caller's to retry.
      if (isStoreUnavailable(err) || !(err instanceof MongoBulkWriteError || BSON.BSONError.isBSONError(err))) throw err;
      const onlyTaken = takenOnly(err);
      if (onlyTaken) {
        result.taken.push(...onlyTaken.map((i) => start + i));
        result.missed += chunk.length - onlyTaken.length - applied((err as MongoBulkWriteError).result);
      } else for (let i = 0; i < chunk.length; i++) await writeOne(collection, chunk[i], start + i, result);
    }
    afterEach();
  }
  return result;
}

/** Operations of a bulk write that wrote: inserted, or matched by their filter. */
function applied(result: { insertedCount: number; matchedCount: number; upsertedCount: number }): number {
  return result.insertedCount + result.matchedCount + result.upsertedCount;
}

/** The indexes of a bulk error's write errors when every one is a taken key; null for anything else. */
function takenOnly(err: unknown): number[] | null {
  if (!(err instanceof MongoBulkWriteError)) return null;
  const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
  if (errors.length === 0 || err.result?.getWriteConcernError()) return null;
  return errors.every((e) => classifyWriteError(e) === 'duplicate') ? errors.map((e) => e.index) : null;
}

async function writeOne<T extends Document>(collection: Collection<T>, op: AnyBulkWriteOperation<T>, index: number, result: IdempotentWriteResult): Promise<void> {
  try {
    result.missed += 1 - applied(await collection.bulkWrite([op], { ordered: false }));
  } catch (err) {
    const single = err instanceof MongoBulkWriteError ? ([err.writeErrors].flat()[0] ?? err) : err;
    const kind = classifyWriteError(single);
    if (kind === 'transient') throw err;
    if (kind === 'duplicate') result.taken.push(index);
    else result.refused.push({ index, reason: refusalReason(single) });
  }
}
