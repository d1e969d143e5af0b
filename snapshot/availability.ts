import { stat } from 'node:fs/promises';
import type { Category } from '../domain/categories';
import { SnapshotChangedError, SnapshotFormatError, SnapshotUnavailableError } from '../domain/errors';
import { checkReadableFile, snapshotFiles } from './layout';

/**
 * File-system errors that say the storage, not the file, failed: an I/O error, a stale or
 * dropped network mount, a time-out. Whatever the file, they pass when the storage is back.
 */
const STORAGE_ERRORS = new Set(['EIO', 'ESTALE', 'ENOTCONN', 'ETIMEDOUT', 'EHOSTDOWN', 'EHOSTUNREACH', 'ENETDOWN', 'ENETUNREACH', 'ECONNRESET', 'ENODEV', 'ENXIO']);

/** What a step reads of the snapshot besides its directory, manifest.json and users.ndjson, all of which every step needs. */
export interface SnapshotNeeds {
  /** A category file that staging found, and must still be there. */
  category?: Category;
  /** blobs/, when the snapshot had it: a blob gone from a blobs/ still there is the record's fault, blobs/ gone is the storage's. */
  blobs?: boolean;
}

/**
 * The code of a file-system error: one the snapshot's readers threw, or the one they
 * wrapped. Only a system call's error counts: a store's network error is not the snapshot's.
 */
function codeOf(err: unknown): string | undefined {
  // Not `instanceof Error`: errors of node's own modules may come from another realm (as under jest).
  for (let e: unknown = err; typeof e === 'object' && e !== null; e = e instanceof SnapshotFormatError ? e.cause : undefined) {
    const { code, syscall } = e as NodeJS.ErrnoException;
    if (typeof code === 'string' && typeof syscall === 'string') return code;
  }
  return undefined;
}

/** Why `path` is not a readable file (checkReadableFile's words), or not a directory; null when it is. */
async function problemWith(path: string, kind: 'directory' | 'file'): Promise<string | null> {
  try {
    if (kind === 'file') await checkReadableFile(path);
    else if (!(await stat(path)).isDirectory()) return `${path} is not a directory`;
    return null;
  } catch (err) {
    return kind === 'file' ? (err as Error).message : `${path} cannot be read (${codeOf(err) ?? (err as Error).message})`;
  }
}

/**
 * Why the snapshot at `dir` cannot be read as a whole, or null when it can: its directory,
 * manifest.json, users.ndjson, and what `needs` names, each there and readable. Never throws.
 */
export async function snapshotUnreadable(dir: string, needs: SnapshotNeeds = {}): Promise<string | null> {
  const checks: [string, 'directory' | 'file'][] = [
    [dir, 'directory'],
    [snapshotFiles.manifest(dir), 'file'],
    [snapshotFiles.users(dir), 'file'],
    ...(needs.category ? [[snapshotFiles.category(dir, needs.category), 'file'] as [string, 'file']] : []),
    ...(needs.blobs ? [[snapshotFiles.blobs(dir), 'directory'] as [string, 'directory']] : []),
  ];
  for (const [path, kind] of checks) {
    const problem = await problemWith(path, kind);
    if (problem) return problem;
  }
  return null;
}

/**
 * Runs `read`, a step that reads the snapshot at `dir`, and tells whose fault its failure
 * is. When the snapshot cannot be read as a whole (see {@link snapshotUnreadable}), or the
 * error is the storage's own (EIO, ESTALE, ENOTCONN…), it is the environment's: a
 * {@link SnapshotUnavailableError}, which workflows wait out. Anything else (a line changed,
 * a blob gone from a blobs/ that is there, a malformed manifest) is thrown as it is.
 */
export async function readingSnapshot<T>(dir: string, needs: SnapshotNeeds, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    const fromFiles = err instanceof SnapshotFormatError || codeOf(err) !== undefined;
    if (!fromFiles || err instanceof SnapshotChangedError) throw err;
    const problem = await snapshotUnreadable(dir, needs);
    if (problem) throw new SnapshotUnavailableError(`the snapshot cannot be read: ${problem}`, { cause: err });
    const code = codeOf(err);
    if (code && STORAGE_ERRORS.has(code)) throw new SnapshotUnavailableError(`the snapshot's storage failed: ${code} reading ${dir}`, { cause: err });
    throw err;
  }
}
