import type { Collection, Document, Filter, FindOptions, WithId } from 'mongodb';

/** Queries under way at once per call: enough to overlap round trips, few enough to spare the pool. */
const CONCURRENCY = 8;

/**
 * Finds the documents matching `filter` for each user, by one equality query per user.
 * One `userId: {$in: …}` query would be one round trip, but FerretDB 1.24 pushes only
 * equalities down to its backend and filters the rest itself, so `$in` ships the whole
 * collection to it on every call; on MongoDB both are index lookups.
 */
export async function findPerUser<T extends Document>(collection: Collection<T>, filter: Filter<T>, userIds: string[], options?: FindOptions): Promise<Map<string, WithId<T>[]>> {
  return findEach(userIds, (userId) => collection.find({ ...filter, userId } as Filter<T>, options).toArray());
}

/** `find` of each key, CONCURRENCY at a time, by key. */
async function findEach<R>(keys: string[], find: (key: string) => Promise<R>): Promise<Map<string, R>> {
  const found = new Map<string, R>();
  for (let i = 0; i < keys.length; i += CONCURRENCY) {
    await Promise.all(keys.slice(i, i + CONCURRENCY).map(async (key) => void found.set(key, await find(key))));
  }
  return found;
}
