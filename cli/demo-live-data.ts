import type { Db } from 'mongodb';
import { RecordLine } from '../domain/record-schemas';
import { snapshotFiles } from '../snapshot/layout';
import { readLines } from '../snapshot/line-reader';

/** Outage-era users kept using the service: live edits after the outage, and contacts they typed in again. */
const AFTER_OUTAGE = new Date('2009-10-12T09:30:00Z');

/**
 * Writes what users did since the outage into the demo's live store, from the first
 * contacts of the snapshot: every 10th contact edited live (kept under keep-newer),
 * every 15th typed in again under a new id (found by de-duplication). Idempotent.
 */
export async function seedDemoLiveData(target: Db, snapshotDir: string, sample = 3000): Promise<{ edited: number; reentered: number }> {
  const contacts = target.collection('contacts');
  let seen = 0;
  let edited = 0;
  let reentered = 0;
  for await (const { text } of readLines(snapshotFiles.category(snapshotDir, 'contacts'))) {
    if (++seen > sample) break;
    let line: RecordLine;
    try {
      line = RecordLine.parse(JSON.parse(text));
    } catch {
      continue;
    }
    const data = line.data as { displayName?: string; emails?: unknown[]; phones?: unknown[] };
    if (seen % 10 === 0) {
      edited += 1;
      await contacts.updateOne(
        { userId: line.userId, recordId: line.recordId },
        { $setOnInsert: { userId: line.userId, recordId: line.recordId, updatedAt: AFTER_OUTAGE, data: { ...data, note: 'edited after the outage' } } },
        { upsert: true },
      );
    } else if (seen % 15 === 0 && (data.emails?.length || data.phones?.length)) {
      reentered += 1;
      const recordId = `live-${line.recordId}`;
      await contacts.updateOne(
        { userId: line.userId, recordId },
        { $setOnInsert: { userId: line.userId, recordId, updatedAt: AFTER_OUTAGE, data: { displayName: data.displayName, emails: data.emails, phones: data.phones } } },
        { upsert: true },
      );
    }
  }
  return { edited, reentered };
}
