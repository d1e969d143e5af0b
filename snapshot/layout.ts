import { constants } from 'node:fs';
import { access, lstat, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Category } from '../domain/categories';
import { SnapshotFileError } from '../domain/errors';

/** File names of a restore-snapshot/v1 directory (docs/design.md §3). */
export const snapshotFiles = {
  manifest: (dir: string) => join(dir, 'manifest.json'),
  users: (dir: string) => join(dir, 'users.ndjson'),
  category: (dir: string, category: Category) => join(dir, `${category}.ndjson`),
  blobs: (dir: string) => join(dir, 'blobs'),
  blob: (dir: string, sha256: string) => join(dir, 'blobs', sha256.toLowerCase()),
};

/** True when the path exists and is reachable; never throws. */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** What a file-system error code means for a snapshot file, in words for the operator. */
const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'is missing',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'is not inside a directory',
  EACCES: 'cannot be read (permission denied)',
  EPERM: 'cannot be read (operation not permitted)',
  ELOOP: 'is a symbolic link loop',
};

/** What a file-system error says of the file, in words ("is missing"); the code itself for one without words. */
export function fileProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return FILE_PROBLEMS[code] ?? `cannot be read (${code || (err as Error).message})`;
}

/**
 * A file-system error on a snapshot file as a typed, non-retryable error naming the file
 * (a missing or unreadable file does not come back by retrying); any other error unchanged.
 */
export function asSnapshotFileError(path: string, err: unknown): unknown {
  const problem = FILE_PROBLEMS[(err as NodeJS.ErrnoException).code ?? ''];
  return problem ? new SnapshotFileError(`${path} ${problem}`, { cause: err }) : err;
}

/**
 * Checks that a snapshot file can be read as a file: it exists (unless `optional`), is a
 * regular file and opens for reading. Throws {@link SnapshotFileError} naming it.
 */
export async function checkReadableFile(path: string, optional = false): Promise<void> {
  try {
    const found = await stat(path).catch(async (err: NodeJS.ErrnoException) => {
      // Missing as a file but present as a link: a link to nothing, never "no records".
      if (err.code === 'ENOENT' && (await lstat(path).catch(() => null))?.isSymbolicLink()) throw new SnapshotFileError(`${path} is a broken symbolic link`);
      throw err;
    });
    if (found.isDirectory()) throw new SnapshotFileError(`${path} ${FILE_PROBLEMS.EISDIR}`);
    if (!found.isFile()) throw new SnapshotFileError(`${path} is not a regular file`);
    await (await open(path, constants.O_RDONLY | constants.O_NONBLOCK)).close();
  } catch (err) {
    if (optional && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw asSnapshotFileError(path, err);
  }
}

/**
 * Checks every file a campaign of `categories` will read, before it starts, so a bad
 * snapshot is found at once rather than by an activity retrying: users.ndjson must be a
 * readable file; each category file may be absent (no records) but otherwise must be
 * one; blobs/, when present, must be a directory.
 */
export async function checkSnapshotFiles(dir: string, categories: readonly Category[]): Promise<void> {
  await checkReadableFile(snapshotFiles.users(dir));
  for (const category of categories) await checkReadableFile(snapshotFiles.category(dir, category), true);
  const blobs = snapshotFiles.blobs(dir);
  const blobsStat = await stat(blobs).catch(() => null);
  if (blobsStat && !blobsStat.isDirectory()) throw new SnapshotFileError(`${blobs} is not a directory`);
}
