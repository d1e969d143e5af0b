import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Category } from '../domain/categories';

/** File names of a restore-snapshot/v1 directory (DESIGN.md §3). */
export const snapshotFiles = {
  manifest: (dir: string) => join(dir, 'manifest.json'),
  users: (dir: string) => join(dir, 'users.ndjson'),
  category: (dir: string, category: Category) => join(dir, `${category}.ndjson`),
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
