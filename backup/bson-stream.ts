import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { BSON, type Document } from 'bson';
import { BackupFormatError } from '../domain/errors';

/** The largest document a dump may hold: MongoDB's 16 MiB and its overhead for a command. */
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024 + 16 * 1024;

/** Bytes read from a dump at a time: a run of documents is what one read completes. */
export const READ_BYTES = 256 * 1024;

/**
 * Whole BSON documents back to back, as a collection stores them: a piece of a dump file, or
 * documents of a database packed together. `offset` is where `bytes` begins in the file (in
 * the uncompressed stream of a `.gz`); null when the documents come from a database.
 */
export interface BsonRun {
  bytes: Uint8Array;
  offset: number | null;
}

/** Where runs come from, to name in an error and a report: a dump file, or a database's collection. */
export type RunOrigin = DumpOrigin | { database: string; collection: string };

/** A dump file: its path, and whether it is gzipped. */
export interface DumpOrigin {
  file: string;
  gz: boolean;
}

/** A document of a run, with its byte offset in the file (null for a database's). */
export interface DumpDocument {
  doc: Document;
  offset: number | null;
}

/** What a stream of documents has read so far: the file's bytes (compressed, for a `.gz`), for a progress bar. */
export type OnBytes = (bytes: number) => void;

/** The origin of a dump file's runs. */
export function dumpOrigin(path: string): DumpOrigin {
  return { file: path, gz: path.endsWith('.gz') };
}

/** Where a document is, in words: the file and byte offset, or the collection. */
export function whereIn(origin: RunOrigin, offset: number | null): string {
  if ('collection' in origin) return `a document of ${origin.database}.${origin.collection}`;
  return `${origin.file} at byte ${offset}${origin.gz ? ' of its uncompressed stream' : ''}`;
}

/** The length prefix of the document at `at`, checked against what a BSON document may be. */
function documentSize(bytes: Uint8Array, at: number, origin: RunOrigin, offset: number | null): number {
  const size = bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
  if (size < 5 || size > MAX_DOCUMENT_BYTES) throw new BackupFormatError(`${whereIn(origin, offset)}: not a BSON document (its length prefix says ${size} bytes)`);
  return size;
}

/**
 * The runs of a mongodump `.bson` file (or `.bson.gz`), one read at a time: a plain
 * concatenation of length-prefixed BSON documents, cut where a read ends. Holds one read and
 * the document it cut, never the file. A truncated file, a length prefix that lies or a `.gz`
 * that is not gzip fail with a {@link BackupFormatError} naming the file and the byte offset
 * of the document; bytes that are not BSON are found when the run is parsed ({@link documentsOfRun}).
 */
export async function* readDumpRuns(path: string, onBytes: OnBytes = () => undefined): AsyncGenerator<BsonRun> {
  const origin = dumpOrigin(path);
  const file = createReadStream(path, { highWaterMark: READ_BYTES });
  file.on('data', (chunk) => onBytes(chunk.length));
  const stream = origin.gz ? file.pipe(createGunzip({ chunkSize: READ_BYTES })) : file;
  if (origin.gz) file.on('error', (err) => stream.destroy(err));
  let pending: Buffer = Buffer.alloc(0);
  let offset = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let end = 0;
      while (pending.length - end >= 4) {
        const size = documentSize(pending, end, origin, offset + end);
        if (pending.length - end < size) break;
        end += size;
      }
      if (end > 0) {
        yield { bytes: pending.subarray(0, end), offset };
        offset += end;
        pending = pending.subarray(end);
      }
    }
  } catch (err) {
    if (err instanceof BackupFormatError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (origin.gz && typeof code === 'string' && code.startsWith('Z_'))
      throw new BackupFormatError(`${whereIn(origin, offset)}: not gzip, or a damaged one (${(err as Error).message})`);
    throw new BackupFormatError(`${path} cannot be read: ${code ?? (err as Error).message}`);
  } finally {
    file.destroy();
  }
  if (pending.length > 0) throw new BackupFormatError(`${whereIn(origin, offset)}: truncated (${pending.length} byte(s) of a document, the rest missing)`);
}

/** The documents of a run, parsed one at a time; bytes that are not BSON fail with a {@link BackupFormatError} naming where. */
export function* documentsOfRun(run: BsonRun, origin: RunOrigin): Generator<DumpDocument> {
  const { bytes } = run;
  for (let at = 0; at < bytes.length;) {
    const offset = run.offset === null ? null : run.offset + at;
    const size = documentSize(bytes, at, origin, offset);
    let doc: Document;
    try {
      doc = BSON.deserialize(bytes.subarray(at, at + size), { promoteLongs: true, bsonRegExp: true });
    } catch (err) {
      throw new BackupFormatError(`${whereIn(origin, offset)}: not a BSON document (${(err as Error).message})`);
    }
    yield { doc, offset };
    at += size;
  }
}

/** The documents of a dump file, parsed, in file order: {@link readDumpRuns} and {@link documentsOfRun} together. */
export async function* readDumpFile(path: string, onBytes: OnBytes = () => undefined): AsyncGenerator<DumpDocument> {
  const origin = dumpOrigin(path);
  for await (const run of readDumpRuns(path, onBytes)) yield* documentsOfRun(run, origin);
}
