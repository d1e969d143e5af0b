import { readdir, readFile } from 'node:fs/promises';
import { Binary, type Document, ObjectId } from 'bson';
import type { Db } from 'mongodb';
import { CATEGORIES } from '../domain/categories';
import { exists, snapshotFiles } from '../snapshot/layout';
import { readLines } from '../snapshot/line-reader';
import type { ImportMap } from './import-map';

/** A backup as collections of documents, and the map that imports it. */
export interface SampleBackup {
  map: ImportMap;
  collections: Record<string, Document[]>;
}

/** GridFS chunk sizes the sample's photos are cut in, in turn: a dump's chunks come in more than one size. */
const CHUNK_SIZES = [7, 255, 1024];

/** A date-time string as an application keeps it: a BSON date (whole seconds, as the generator writes them). */
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/**
 * A snapshot's records as an application would have kept them, for the demo and the tests of
 * `snapshot import`: ObjectId `_id`s, BSON dates, a record's fields in a `payload`, photos'
 * bytes in the GridFS bucket `fs` (in chunks of several sizes), a catalog of accounts with
 * what each user should have, and the map that imports it
 * all back. Lines that are not JSON records (a damaged snapshot's) have no document: a
 * backup could not hold them. Small snapshots only: it holds the documents in memory.
 */
export async function sampleBackup(snapshotDir: string): Promise<SampleBackup> {
  let n = 0;
  const id = () => new ObjectId((n++).toString(16).padStart(24, '0'));
  const files: Document[] = [];
  const chunks: Document[] = [];
  const fileOf = new Map<string, ObjectId>();
  for (const name of await readdir(snapshotFiles.blobs(snapshotDir)).catch(() => [])) {
    const bytes = await readFile(snapshotFiles.blob(snapshotDir, name));
    const fileId = id();
    const chunkSize = CHUNK_SIZES[files.length % CHUNK_SIZES.length];
    files.push({ _id: fileId, length: bytes.length, chunkSize, uploadDate: new Date(0), filename: name });
    for (let k = 0; k * chunkSize < bytes.length; k++) chunks.push({ _id: id(), files_id: fileId, n: k, data: new Binary(bytes.subarray(k * chunkSize, (k + 1) * chunkSize)) });
    fileOf.set(name, fileId);
  }
  // The backup's catalog of users, with what each should have: users.ndjson's lines.
  const accounts: Document[] = [];
  for await (const { text } of readLines(snapshotFiles.users(snapshotDir))) {
    const line = parsed(text) as { userId?: unknown; expected?: unknown } | null;
    if (line) accounts.push({ _id: id(), login: line.userId, counts: line.expected });
  }
  const map: ImportMap = {
    format: 'restorectl-import-map/v1',
    users: { collection: 'accounts', userId: 'login', expected: Object.fromEntries(CATEGORIES.map((c) => [c, `counts.${c}`])) },
    categories: {},
  };
  const collections: Record<string, Document[]> = { accounts, 'fs.files': files, 'fs.chunks': chunks };
  for (const category of CATEGORIES) {
    // A photo's digest and size come from its GridFS bytes, not from the map.
    const fromBytes = category === 'photos' ? ['sha256', 'bytes'] : [];
    const documents: Document[] = [];
    const fields = new Set<string>();
    const file = snapshotFiles.category(snapshotDir, category);
    for await (const { text } of (await exists(file)) ? readLines(file) : []) {
      const record = parsed(text) as { userId?: unknown; recordId?: unknown; updatedAt?: unknown; data?: Record<string, unknown> } | null;
      if (!record || typeof record.data !== 'object' || record.data === null) continue;
      const payload: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(record.data)) {
        if (fromBytes.includes(field)) continue;
        fields.add(field);
        payload[field] = typeof value === 'string' && DATE_TIME.test(value) ? new Date(value) : value;
      }
      const blob = category === 'photos' && typeof record.data.sha256 === 'string' ? fileOf.get(record.data.sha256.toLowerCase()) : undefined;
      documents.push({
        _id: id(),
        owner: record.userId,
        rid: record.recordId,
        modifiedAt: typeof record.updatedAt === 'string' && DATE_TIME.test(record.updatedAt) ? new Date(record.updatedAt) : record.updatedAt,
        payload,
        ...(blob ? { file: blob } : {}),
      });
    }
    map.categories[category] = {
      collection: `app_${category}`,
      userId: 'owner',
      recordId: 'rid',
      updatedAt: 'modifiedAt',
      data: Object.fromEntries([...fields].map((f) => [f, `payload.${f}`])),
      ...(category === 'photos' ? { blob: { gridfsBucket: 'fs', fileId: 'file' } } : {}),
    };
    collections[`app_${category}`] = documents;
  }
  return { map, collections };
}

/** A line's JSON object, or null for a line that holds none. */
function parsed(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Stores a sample backup's collections in `db`, as a recovery server would hold them. */
export async function loadSampleBackup(db: Db, backup: SampleBackup): Promise<void> {
  for (const [name, documents] of Object.entries(backup.collections)) {
    if (documents.length) await db.collection(name).insertMany(documents);
  }
}
