import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import type { QuarantineReason } from '../domain/line-check';
import { snapshotFiles } from './layout';

/**
 * Checks that the blob a photo record names exists, hashes to `data.sha256` and has
 * `data.bytes` bytes (DESIGN.md §3). Returns the reason to quarantine, or null.
 */
export async function checkPhotoBlob(dir: string, data: { sha256?: string; bytes?: number }): Promise<QuarantineReason | null> {
  if (!data.sha256) return { code: 'blob-missing', message: 'data.sha256 is absent: the photo names no blob' };
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(snapshotFiles.blob(dir, data.sha256)) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { code: 'blob-missing', message: 'blob named by data.sha256 is missing' };
    throw err;
  }
  if (hash.digest('hex') !== data.sha256.toLowerCase()) return { code: 'blob-mismatch', message: 'blob bytes do not hash to data.sha256' };
  if (data.bytes !== undefined && data.bytes !== size) return { code: 'blob-mismatch', message: 'blob size does not match data.bytes' };
  return null;
}
