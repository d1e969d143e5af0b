import type { Category } from '../domain/categories';
import { CATEGORY_TRAITS } from '../domain/category-traits';
import { SnapshotFileError } from '../domain/errors';
import { checkLine } from '../domain/line-check';
import { type RecoveredRecord, recoveredOf } from '../domain/restore-plan';
import { snapshotFiles } from './layout';
import { readLinesAt } from './line-reader';

/**
 * Where one of a user's standing valid lines is in its category file: its number, its span
 * (LineSpan, snapshot/line-reader.ts), and the first STAGED_HASH_CHARS hex digits of its
 * content hash, which a batch checks the line it reads back against.
 */
export type StagedLine = [line: number, at: number, end: number, hash: string];

/** Hex digits of a line's content hash kept with its place: enough to tell that a line changed since staging. */
export const STAGED_HASH_CHARS = 16;

/**
 * The records of users' staged lines, read back from the category file at their places
 * and checked again as staging checked them: a line that is no longer what staging found
 * (another content hash, another user, or no longer valid) fails with a SnapshotFileError,
 * as the snapshot changed under the campaign and nothing read from it can be trusted.
 */
export async function readBackRecords(snapshotDir: string, category: Category, lines: Map<string, StagedLine[]>): Promise<Map<string, RecoveredRecord[]>> {
  const file = snapshotFiles.category(snapshotDir, category);
  const wanted = [...lines].flatMap(([userId, staged]) => staged.map((line) => ({ userId, line })));
  const texts = await readLinesAt(file, wanted.map(({ line: [, at, end] }) => ({ at, end })));
  const records = new Map<string, RecoveredRecord[]>();
  wanted.forEach(({ userId, line: [number, , , hash] }, i) => {
    const check = checkLine(texts[i], CATEGORY_TRAITS[category], () => true);
    if (check.kind !== 'valid' || check.userId !== userId || check.lineHash.slice(0, STAGED_HASH_CHARS) !== hash) {
      throw new SnapshotFileError(`line ${number} of ${category}.ndjson changed after staging; restart the campaign or replay from an unchanged copy`);
    }
    if (!records.has(userId)) records.set(userId, []);
    records.get(userId)!.push(recoveredOf(check.record));
  });
  return records;
}
