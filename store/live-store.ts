import type { AnyBulkWriteOperation, Db, Document, Filter } from 'mongodb';
import type { Category } from '../domain/categories';
import type { LiveDocument, RecoveredRecord } from '../domain/restore-plan';
import { bulkWriteInChunks } from './bulk';

export interface Provenance {
  campaignId: string;
  snapshotId: string;
  restoredAt: Date;
}

/** A write the restore decided on: replace the live document it saw, or insert where none was. */
export type LiveWrite =
  | { kind: 'replace'; userId: string; record: RecoveredRecord; live: LiveDocument }
  | { kind: 'insert'; userId: string; record: RecoveredRecord };

/** The given users' live documents of one category, by user. One query per call. */
export async function readLiveDocuments(target: Db, category: Category, userIds: string[]): Promise<Map<string, LiveDocument[]>> {
  const byUser = new Map<string, LiveDocument[]>(userIds.map((u) => [u, []]));
  const cursor = target.collection<LiveDocument>(category).find({ userId: { $in: userIds } });
  for await (const doc of cursor) byUser.get(doc.userId)?.push(doc);
  return byUser;
}

/** The live document a recovered record becomes (DESIGN.md §4). */
export function restoredDocument(userId: string, record: RecoveredRecord, provenance: Provenance) {
  return {
    userId,
    recordId: record.recordId,
    updatedAt: new Date(record.updatedAt),
    data: record.data,
    restore: { ...provenance, sha256: record.sha256 },
  };
}

/**
 * Applies the writes, each conditional so that it never clobbers a write the
 * application made since we read: a replace matches only the version we saw, an
 * insert only where no document has the recordId. A write that matched nothing lost
 * such a race; the caller reads again and re-decides.
 */
export async function applyLiveWrites(
  target: Db,
  category: Category,
  writes: LiveWrite[],
  provenance: Provenance,
  afterEachCommand?: () => void,
): Promise<void> {
  const ops = writes.map((w): AnyBulkWriteOperation => {
    const doc = restoredDocument(w.userId, w.record, provenance);
    return w.kind === 'replace'
      ? { replaceOne: { filter: { _id: w.live._id, updatedAt: w.live.updatedAt ?? null } as Filter<Document>, replacement: doc } }
      : { updateOne: { filter: { userId: w.userId, recordId: w.record.recordId }, update: { $setOnInsert: doc }, upsert: true } };
  });
  await bulkWriteInChunks(target.collection(category), ops, afterEachCommand);
}
