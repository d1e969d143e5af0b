import type { Category } from '../domain/categories';
import { sha256Hex } from '../domain/digest';
import { SnapshotChangedError } from '../domain/errors';
import { appendTo } from '../domain/maps';
import type { RecordLine } from '../domain/record-schemas';
import { type RecoveredRecord, recoveredOf } from '../domain/restore-plan';
import { snapshotFiles } from './layout';
import { readLinesAt } from './line-reader';

/**
 * Where one of a user's standing valid lines is in its category file: its number, its span
 * (LineSpan, snapshot/line-reader.ts), and its {@link textHash}, which a batch checks the
 * line it reads back against.
 */
export type StagedLine = [line: number, at: number, end: number, hash: string];

/**
 * The first 16 hex digits (64 bits) of the SHA-256 of a line's text: staging keeps it with
 * the line's place, and a line read back with the same hash is the text staging checked,
 * so it is not checked a second time. Finding another text with the same 64 bits is a
 * second preimage, out of reach.
 */
export function textHash(text: string): string {
  return sha256Hex(text).slice(0, 16);
}

/**
 * The records of users' staged lines, read back from the category file at their places.
 * Each line's text must hash as it did when staging checked it: one that does not fails
 * with a SnapshotChangedError, as the snapshot changed under the campaign and nothing read
 * from it can be trusted.
 */
export async function readBackRecords(snapshotDir: string, category: Category, lines: Map<string, StagedLine[]>): Promise<Map<string, RecoveredRecord[]>> {
  const file = snapshotFiles.category(snapshotDir, category);
  const wanted = [...lines].flatMap(([userId, staged]) => staged.map((line) => ({ userId, line })));
  const texts = await readLinesAt(
    file,
    wanted.map(({ line: [, at, end] }) => ({ at, end })),
  );
  const records = new Map<string, RecoveredRecord[]>();
  wanted.forEach(({ userId, line: [number, , , hash] }, i) => {
    if (textHash(texts[i]) !== hash)
      throw new SnapshotChangedError(`line ${number} of ${category}.ndjson changed after staging; restart the campaign or replay from an unchanged copy`);
    // The text staging found valid, for this user.
    const record = JSON.parse(texts[i]) as RecordLine;
    appendTo(records, userId, [recoveredOf(record)]);
  });
  return records;
}
