import type { Collection, Document, Filter, FindOptions, WithId } from 'mongodb';

/** Queries under way at once per call: enough to overlap round trips, few enough to spare the pool. */
const CONCURRENCY = 8;

/**
 * Finds the documents matching `filter` for each user, by one equality query per user.
 * One `userId: {$in: …}` query would be one round trip, but FerretDB 1.24 pushes only
 * equalities down to its backend and filters the rest itself, so `$in` ships the whole
 * collection to it on every call; on MongoDB both are index lookups.
 */
export async function findPerUser<T extends Document>(
  collection: Collection<T>,
  filter: Filter<T>,
  userIds: string[],
  options?: FindOptions,
): Promise<Map<string, WithId<T>[]>> {
  const found = new Map<string, WithId<T>[]>();
  for (let i = 0; i < userIds.length; i += CONCURRENCY) {
    await Promise.all(
      userIds.slice(i, i + CONCURRENCY).map(async (userId) => {
        found.set(userId, await collection.find({ ...filter, userId } as Filter<T>, options).toArray());
      }),
    );
  }
  return found;
}
