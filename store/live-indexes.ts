import type { Db } from 'mongodb';
import type { Category } from '../domain/categories';

/** MongoDB's code for a collection that does not exist. */
const NAMESPACE_NOT_FOUND = 26;

/**
 * The categories whose live collection has no unique index on exactly (userId, recordId).
 * Without one, a record the restore inserts and one the application creates with the same
 * recordId at the same moment can both land: the restore's insert is keyed by a derived
 * `_id`, which the application's document does not share. A missing collection counts as
 * lacking the index.
 */
export async function categoriesWithoutUniqueRecordKey(target: Db, categories: readonly Category[]): Promise<Category[]> {
  const lacking: Category[] = [];
  for (const category of categories) {
    const indexes = await target
      .collection(category)
      .listIndexes()
      .toArray()
      .catch((err: { code?: number }) => {
        if (err.code === NAMESPACE_NOT_FOUND) return [];
        throw err;
      });
    const unique = indexes.some((ix) => ix.unique === true && JSON.stringify(Object.keys(ix.key ?? {}).sort()) === JSON.stringify(['recordId', 'userId']));
    if (!unique) lacking.push(category);
  }
  return lacking;
}

/**
 * Creates, in each live collection, the index the README asks applications to have: unique
 * on (userId, recordId). For the demo, tests and benchmarks, which stand in for the
 * application; restorectl never creates indexes in a real application's database.
 */
export async function createApplicationIndexes(target: Db, categories: readonly Category[]): Promise<void> {
  for (const category of categories) await target.collection(category).createIndex({ userId: 1, recordId: 1 }, { unique: true });
}
