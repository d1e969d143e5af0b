import { createHash } from 'node:crypto';
import { type AnyBulkWriteOperation, type Collection, type Db, type Document, type Filter, ObjectId } from 'mongodb';
import type { Category } from '../../domain/categories';
import type { LiveDocument, RecoveredRecord } from '../../domain/restore-plan';
import { INSERT_BATCH, WRITE_BATCH, writeIdempotent } from '../mongo/bulk';
import { findPerUser } from '../mongo/per-user';
import { applicationUniqueIndexes, indexTakenBy, refusedByIndex } from './unique-indexes';

export interface Provenance {
  campaignId: string;
  snapshotId: string;
  restoredAt: Date;
}

/** A write the restore decided on: replace the live document it saw, or insert where none was. */
export type LiveWrite = { kind: 'replace'; userId: string; record: RecoveredRecord; live: LiveDocument } | { kind: 'insert'; userId: string; record: RecoveredRecord };

/** The given users' live documents of one category, by user. */
export function readLiveDocuments(target: Db, category: Category, userIds: string[]): Promise<Map<string, LiveDocument[]>> {
  return findPerUser(target.collection<LiveDocument>(category), {}, userIds);
}

/**
 * The `_id` of a restored document that had no live one. An ObjectId, as the application
 * uses, whose time part is the record's `updatedAt` and whose other 8 bytes hash
 * (userId, recordId): the same record always gets the same id, so an insert retried after
 * a crash collides with its earlier self instead of adding a copy.
 */
export function restoredId(userId: string, record: RecoveredRecord): ObjectId {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt32BE(Math.max(0, Math.floor(Date.parse(record.updatedAt) / 1000)) >>> 0, 0);
  createHash('sha256').update(`${userId}\u0000${record.recordId}`).digest().copy(bytes, 4, 0, 8);
  return new ObjectId(bytes);
}

/** The live document a recovered record becomes (docs/design.md §4). */
export function restoredDocument(userId: string, record: RecoveredRecord, provenance: Provenance) {
  return {
    userId,
    recordId: record.recordId,
    updatedAt: new Date(record.updatedAt),
    data: record.data,
    restore: { ...provenance, sha256: record.sha256 },
  };
}

/** A write the store refused for what the recovered document holds, with the reason in safe words. */
export interface RefusedWrite {
  write: LiveWrite;
  reason: string;
}

/** How applying the writes went. */
export interface AppliedWrites {
  refused: RefusedWrite[];
  /**
   * Users with a write that raced: an insert that found a document holding its record, or a
   * replace that no longer met the version read (the store counts those, it does not name
   * them: every user with a replace, then). Their writes are decided again on a fresh read;
   * every other write not refused landed as decided.
   */
  racedUsers: Set<string>;
}

/**
 * Applies the writes so that they never clobber a write the application made since we
 * read: a replace matches only the version we saw (else it matches nothing and the
 * caller, reading again, re-decides). An insert goes where we saw no document; it is
 * a plain insert with a derived `_id` ({@link restoredId}), as an upsert filtered on
 * (userId, recordId) costs a collection scan per record on FerretDB and is no safer on
 * MongoDB without a unique index on those fields. Says which writes the store refused,
 * and whether all landed as decided; any other failure is thrown, for the attempt to be
 * retried.
 *
 * A duplicate key is told apart by what holds the key: an insert whose record a document
 * now holds met an earlier attempt or the application (it raced, and is re-decided); any
 * other duplicate, a replace's included, is a unique index of the application refusing
 * the record, which writing it again cannot mend.
 */
export async function applyLiveWrites(target: Db, category: Category, writes: LiveWrite[], provenance: Provenance, afterEachCommand?: () => void): Promise<AppliedWrites> {
  const collection = target.collection(category);
  const replaces = writes.filter((w) => w.kind === 'replace');
  const inserts = writes.filter((w) => w.kind === 'insert');
  const replaced = await writeIdempotent(
    collection,
    replaces.map((w): AnyBulkWriteOperation => ({
      replaceOne: { filter: { _id: w.live._id, updatedAt: w.live.updatedAt ?? null } as Filter<Document>, replacement: restoredDocument(w.userId, w.record, provenance) },
    })),
    WRITE_BATCH,
    afterEachCommand,
  );
  const inserted = await writeIdempotent(
    collection,
    inserts.map((w): AnyBulkWriteOperation => ({ insertOne: { document: insertedDocument(w, provenance) } })),
    INSERT_BATCH,
    afterEachCommand,
  );
  const racedInserts = await heldRecords(
    collection,
    inserted.taken.map((i) => inserts[i]),
  );
  const duplicates = [
    ...replaced.taken.map((i) => ({ write: replaces[i], _id: replaces[i].live._id })),
    ...inserted.taken
      .map((i) => inserts[i])
      .filter((w) => !racedInserts.has(w))
      .map((write) => ({ write, _id: restoredId(write.userId, write.record) })),
  ];
  const indexes = duplicates.length ? await applicationUniqueIndexes(collection) : [];
  const refusedByApplication: RefusedWrite[] = [];
  const racedUsers = new Set([...racedInserts].map((w) => w.userId));
  for (const { write, _id } of duplicates) {
    const index = await indexTakenBy(collection, indexes, { _id, ...restoredDocument(write.userId, write.record, provenance) });
    // A duplicate no index explains now met a document gone since: re-decided, as a race.
    if (index !== undefined || write.kind === 'replace') refusedByApplication.push({ write, reason: refusedByIndex(index) });
    else racedUsers.add(write.userId);
  }
  for (const [result, writes] of [
    [replaced, replaces],
    [inserted, inserts],
  ] as const) {
    if (result.missed > 0) for (const w of writes) racedUsers.add(w.userId);
  }
  const refused = [
    ...replaced.refused.map(({ index, reason }) => ({ write: replaces[index], reason })),
    ...inserted.refused.map(({ index, reason }) => ({ write: inserts[index], reason })),
    ...refusedByApplication,
  ];
  return { refused, racedUsers };
}

function insertedDocument(write: LiveWrite, provenance: Provenance) {
  return { _id: restoredId(write.userId, write.record), ...restoredDocument(write.userId, write.record, provenance) };
}

/** Of inserts that found a key taken, those whose record a live document holds: by one query per user. */
async function heldRecords(collection: Collection, inserts: LiveWrite[]): Promise<Set<LiveWrite>> {
  if (inserts.length === 0) return new Set();
  const live = await findPerUser(collection, {}, [...new Set(inserts.map((w) => w.userId))], { projection: { recordId: 1 } });
  return new Set(inserts.filter((w) => live.get(w.userId)?.some((doc) => doc.recordId === w.record.recordId)));
}
