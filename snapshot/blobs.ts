import { close, constants, fstat, open, read } from 'node:fs';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { type BlobTrait, blobBytes, blobDigest } from '../domain/category-traits';
import type { QuarantineReason } from '../domain/line-check';
import { snapshotFiles } from './layout';

/** The most bytes read of any blob: the format's largest photo (docs/design.md §3, `bytes` ≤ 52,428,800). */
export const BLOB_BYTES_LIMIT = 52_428_800;

/** Bytes read from a blob at once: a large blob is hashed and uploaded piece by piece, as a file stream would. */
const READ_BYTES = 65_536;

export type OpenedBlob = { ok: true; bytes: AsyncIterable<Buffer>; size: number } | { ok: false; reason: QuarantineReason };

// The callback API, not FileHandles or streams: a photo is a few kilobytes, and per blob those
// cost several times the read itself (a blob checked: 80–150 µs of CPU with them, 33–58 µs without).
const openFile = promisify(open);
const statFile = promisify(fstat);
const closeFile = promisify(close);
const readBytes = promisify(read);

/**
 * The first `size` bytes of an open blob, in pieces, then closes it: also when the reader
 * stops early. An empty file reads at most one byte, which then fails the digest.
 */
async function* bytesOf(fd: number, size: number): AsyncGenerator<Buffer> {
  try {
    for (let at = 0; at < Math.max(size, 1);) {
      const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, Math.max(size - at, 1)));
      const { bytesRead: n } = await readBytes(fd, buffer, 0, buffer.length, at);
      if (n === 0) return;
      yield n === buffer.length ? buffer : buffer.subarray(0, n);
      at += n;
    }
  } finally {
    await closeFile(fd);
  }
}

/**
 * Opens the blob named `sha256` for reading, only if it is a regular file inside blobs/
 * of no more than `expectedBytes` (or {@link BLOB_BYTES_LIMIT}) bytes; `trait` names the
 * fields that reasons mention: a symbolic link
 * (which could point anywhere on the worker), a device such as /dev/zero, or a FIFO that
 * never ends is refused with the reason, without reading a byte. Its `bytes` are read
 * once, up to the size found when opening, so a file that grows is not read past it; the
 * file stays open until they are.
 */
export async function openBlob(dir: string, trait: BlobTrait, sha256: string, expectedBytes?: number): Promise<OpenedBlob> {
  const path = snapshotFiles.blob(dir, sha256);
  let fd;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
    fd = await openFile(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: { code: 'blob-missing', message: `blob named by data.${trait.digestField} is missing` } };
    if (code === 'ELOOP') return { ok: false, reason: notRegular('is a symbolic link') };
    throw err;
  }
  const stat = await statFile(fd).catch(async (err: unknown) => {
    await closeFile(fd);
    throw err;
  });
  const problem = !stat.isFile()
    ? notRegular('is not a regular file')
    : stat.size > (expectedBytes ?? BLOB_BYTES_LIMIT)
      ? { code: 'blob-mismatch' as const, message: `blob is larger than ${expectedBytes === undefined ? `the ${BLOB_BYTES_LIMIT}-byte limit` : `data.${trait.bytesField}`}` }
      : null;
  if (problem) {
    await closeFile(fd);
    return { ok: false, reason: problem };
  }
  return { ok: true, bytes: bytesOf(fd, stat.size), size: stat.size };
}

function notRegular(what: string): QuarantineReason {
  return { code: 'blob-not-regular', message: `blob ${what}; only regular files inside blobs/ are read` };
}

/**
 * Checks that the blob a record names is a regular file inside blobs/, hashes to its
 * digest field and has as many bytes as its bytes field says (docs/design.md §3). Returns the
 * reason to quarantine, or null. Calls `onRead` after each chunk read, so a caller can heartbeat.
 */
export async function checkBlob(dir: string, trait: BlobTrait, data: Record<string, unknown>, onRead: () => void = () => undefined): Promise<QuarantineReason | null> {
  const digest = blobDigest(trait, data);
  const bytes = blobBytes(trait, data);
  if (!digest) return { code: 'blob-missing', message: `data.${trait.digestField} is absent: the record names no blob` };
  const blob = await openBlob(dir, trait, digest, bytes);
  if (!blob.ok) return blob.reason;
  const hash = createHash('sha256');
  for await (const chunk of blob.bytes) {
    hash.update(chunk);
    onRead();
  }
  if (hash.digest('hex') !== digest) return { code: 'blob-mismatch', message: `blob bytes do not hash to data.${trait.digestField}` };
  if (bytes !== undefined && bytes !== blob.size) return { code: 'blob-mismatch', message: `blob size does not match data.${trait.bytesField}` };
  return null;
}
