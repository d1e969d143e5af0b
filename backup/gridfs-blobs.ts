import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Document } from 'bson';
import { BackupFormatError } from '../domain/errors';
import { snapshotFiles } from '../snapshot/layout';
import { jsonOf } from './bson-json';

/** A GridFS file's bytes, chunk by chunk; null when the bucket has no such file. */
export type GridfsFileReader = (bucket: string, fileId: unknown) => Promise<AsyncIterable<Buffer> | null>;

/** A blob as the snapshot keeps it: named by the SHA-256 of its bytes. */
export interface StoredBlob {
  sha256: string;
  bytes: number;
}

/**
 * Copies a file's bytes into `blobs/<sha256>` of the snapshot, once per content: streamed
 * through a hash into a temporary file, then renamed to its digest (a second copy of the
 * same content is dropped). Memory holds a chunk.
 */
export async function storeBlob(outDir: string, chunks: AsyncIterable<Buffer>): Promise<StoredBlob> {
  const temporary = join(snapshotFiles.blobs(outDir), `.incoming-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let bytes = 0;
  const file = await open(temporary, 'w');
  try {
    for await (const chunk of chunks) {
      hash.update(chunk);
      bytes += chunk.length;
      await file.write(chunk);
    }
  } finally {
    await file.close();
  }
  const sha256 = hash.digest('hex');
  const final = snapshotFiles.blob(outDir, sha256);
  if (await stat(final).catch(() => null)) await rm(temporary);
  else await rename(temporary, final);
  return { sha256, bytes };
}

/** The key a file id is known by: its JSON form (an ObjectId's hex digits). */
export function fileKey(fileId: unknown): string {
  return JSON.stringify(jsonOf(fileId).value ?? null);
}

/**
 * The GridFS files of a dump's bucket (`<bucket>.files`, `<bucket>.chunks`), assembled into
 * files under `workDir` by one pass over the chunks, each written at its place (n × chunkSize),
 * whatever their order; memory holds a chunk and an entry per file. Answers a reader of them.
 */
export async function assembleDumpBucket(documents: (collection: string) => AsyncIterable<{ doc: Document }>, bucket: string, workDir: string): Promise<GridfsFileReader> {
  const files = new Map<string, { path: string; chunkSize: number }>();
  await mkdir(workDir, { recursive: true });
  for await (const { doc } of documents(`${bucket}.files`)) {
    files.set(fileKey(doc._id), { path: join(workDir, `${files.size}`), chunkSize: Number(doc.chunkSize) });
  }
  for (const f of files.values()) await (await open(f.path, 'w')).close();
  for await (const { doc } of documents(`${bucket}.chunks`)) {
    const file = files.get(fileKey(doc.files_id));
    if (!file) continue;
    const data = (doc.data as { buffer?: Uint8Array })?.buffer;
    if (!data) throw new BackupFormatError(`a chunk of ${bucket}.chunks holds no data`);
    const handle = await open(file.path, 'r+');
    try {
      await handle.write(data, 0, data.length, Number(doc.n) * file.chunkSize);
    } finally {
      await handle.close();
    }
  }
  return async (name, fileId) => {
    const file = name === bucket ? files.get(fileKey(fileId)) : undefined;
    return file ? createReadStream(file.path) : null;
  };
}
