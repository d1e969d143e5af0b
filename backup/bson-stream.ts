import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { BSON, type Document } from 'bson';
import { BackupFormatError } from '../domain/errors';

/** The largest document a dump may hold: MongoDB's 16 MiB and its overhead for a command. */
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024 + 16 * 1024;

/** A document of a dump, with where it begins: its byte offset in the file (in the uncompressed stream of a `.gz`). */
export interface DumpDocument {
  doc: Document;
  offset: number;
}

/** What a stream of documents has read so far: the file's bytes (compressed, for a `.gz`), for a progress bar. */
export type OnBytes = (bytes: number) => void;

/**
 * The documents of a mongodump `.bson` file (or `.bson.gz`), one after another, as they are
 * read: a plain concatenation of length-prefixed BSON documents. Holds one document at a
 * time, never the file. A truncated file, a length prefix that lies, bytes that are not BSON
 * or a `.gz` that is not gzip fail with a {@link BackupFormatError} naming the file and the
 * byte offset of the document.
 */
export async function* readDumpFile(path: string, onBytes: OnBytes = () => undefined): AsyncGenerator<DumpDocument> {
  const file = createReadStream(path);
  file.on('data', (chunk) => onBytes(chunk.length));
  const gz = path.endsWith('.gz');
  const stream = gz ? file.pipe(createGunzip()) : file;
  if (gz) file.on('error', (err) => stream.destroy(err));
  const where = (offset: number) => `${path} at byte ${offset}${gz ? ' of its uncompressed stream' : ''}`;
  let pending: Buffer = Buffer.alloc(0);
  let offset = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32LE(0);
        if (size < 5 || size > MAX_DOCUMENT_BYTES) throw new BackupFormatError(`${where(offset)}: not a BSON document (its length prefix says ${size} bytes)`);
        if (pending.length < size) break;
        let doc: Document;
        try {
          doc = BSON.deserialize(pending.subarray(0, size), { promoteLongs: true, bsonRegExp: true });
        } catch (err) {
          throw new BackupFormatError(`${where(offset)}: not a BSON document (${(err as Error).message})`);
        }
        yield { doc, offset };
        offset += size;
        pending = pending.subarray(size);
      }
    }
  } catch (err) {
    if (err instanceof BackupFormatError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (gz && typeof code === 'string' && code.startsWith('Z_')) throw new BackupFormatError(`${where(offset)}: not gzip, or a damaged one (${(err as Error).message})`);
    throw new BackupFormatError(`${path} cannot be read: ${code ?? (err as Error).message}`);
  } finally {
    file.destroy();
  }
  if (pending.length > 0) throw new BackupFormatError(`${where(offset)}: truncated (${pending.length} byte(s) of a document, the rest missing)`);
}
