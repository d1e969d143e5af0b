import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Category } from '../../domain/categories';
import { jcsSha256, sha256Hex } from '../../domain/digest';

/** A record line with its correct digest. */
export function recordLine(userId: string, recordId: string, updatedAt: string, data: Record<string, unknown>) {
  return { userId, recordId, updatedAt, data, sha256: jcsSha256(data) };
}

export interface SnapshotSpec {
  snapshotId?: string;
  users: { userId: string; expected?: Partial<Record<Category, number>> }[];
  /** Lines per category file: objects are written as JSON, strings as they are. */
  lines: Partial<Record<Category, (object | string)[]>>;
  /** Written to blobs/, each named by its sha256. */
  blobs?: Buffer[];
}

/** Writes a restore-snapshot/v1 directory under the system temp folder and returns its path. */
export async function writeSnapshot(spec: SnapshotSpec): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'restorectl-snapshot-'));
  await mkdir(join(dir, 'blobs'));
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ format: 'restore-snapshot/v1', snapshotId: spec.snapshotId ?? 'test-snapshot', takenAt: '2009-10-10T00:00:00Z' }));
  await writeFile(join(dir, 'users.ndjson'), spec.users.map((u) => JSON.stringify({ userId: u.userId, expected: u.expected ?? {} })).join('\n') + '\n');
  for (const blob of spec.blobs ?? []) await writeFile(join(dir, 'blobs', sha256Hex(blob)), blob);
  for (const [category, lines] of Object.entries(spec.lines)) {
    await writeFile(join(dir, `${category}.ndjson`), lines!.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  }
  return dir;
}
