import type { Db } from 'mongodb';
import type { Category } from '../../domain/categories';

/** MongoDB's code for a collection that does not exist. */
const NAMESPACE_NOT_FOUND = 26;

/** What the indexes of one live collection give the restore. */
export interface LiveIndexing {
  /** An index led by userId: the restore's lookup of a user's documents is served, not a collection scan. */
  userLed: boolean;
  /**
   * A unique index on exactly (userId, recordId). Without one, a record the restore inserts
   * and one the application creates with the same recordId at the same moment can both
   * land: the restore's insert is keyed by a derived `_id`, which the application's
   * document does not share.
   */
  uniqueRecordKey: boolean;
}

/** The indexing of each category's live collection; a missing collection has none. */
export async function liveIndexing(target: Db, categories: readonly Category[]): Promise<Record<Category, LiveIndexing>> {
  const found = {} as Record<Category, LiveIndexing>;
  for (const category of categories) {
    const indexes = await target
      .collection(category)
      .listIndexes()
      .toArray()
      .catch((err: { code?: number }) => {
        if (err.code === NAMESPACE_NOT_FOUND) return [];
        throw err;
      });
    const keysOf = (ix: { key?: Record<string, unknown> }) => Object.keys(ix.key ?? {});
    found[category] = {
      userLed: indexes.some((ix) => keysOf(ix)[0] === 'userId'),
      uniqueRecordKey: indexes.some((ix) => ix.unique === true && JSON.stringify(keysOf(ix).sort()) === JSON.stringify(['recordId', 'userId'])),
    };
  }
  return found;
}

/**
 * Creates, in each live collection, the index the README asks applications to have: unique
 * on (userId, recordId). For the demo, tests and benchmarks, which stand in for the
 * application; restorectl never creates indexes in a real application's database.
 */
export async function createApplicationIndexes(target: Db, categories: readonly Category[]): Promise<void> {
  for (const category of categories) await target.collection(category).createIndex({ userId: 1, recordId: 1 }, { unique: true });
}
