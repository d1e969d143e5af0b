import type { ConflictPolicy } from './categories';
import type { CategoryTraits } from './category-traits';
import type { RecordLine } from './record-schemas';

/** A live document as the restore sees it (docs/design.md §4). */
export interface LiveDocument {
  _id: unknown;
  userId: string;
  recordId: string;
  updatedAt?: Date | null;
  data?: Record<string, unknown>;
  restore?: { campaignId: string; snapshotId: string; sha256: string; restoredAt: Date };
}

/** A valid recovered record of one user, ready to restore. */
export interface RecoveredRecord {
  recordId: string;
  updatedAt: string;
  data: Record<string, unknown>;
  sha256: string;
}

/** The record a valid line holds, as the restore compares and writes it: its digest in lower case. */
export function recoveredOf(line: RecordLine): RecoveredRecord {
  return { recordId: line.recordId, updatedAt: line.updatedAt, data: line.data, sha256: line.sha256.toLowerCase() };
}

export type Decision =
  /** This recovered version is in the live store already (written now or earlier): counts as restored. */
  | { action: 'present' }
  /** A live document wins under the policy: counted keptLive. */
  | { action: 'keep-live' }
  /** A contact the user re-entered after the outage: counted duplicates. */
  | { action: 'duplicate' }
  /** Replace the live document we saw, and only if it is still the one we saw. */
  | { action: 'replace'; live: LiveDocument }
  /** Insert; no live document has this recordId. */
  | { action: 'insert' };

/**
 * Plans one user's records of one category against that user's live documents.
 * Pure: the caller reads the live store, applies the writes, and plans again until
 * nothing is left to write, so a write that lost a race is re-decided from fresh data.
 */
export function planUser(
  traits: Pick<CategoryTraits, 'matchKeys'>,
  records: RecoveredRecord[],
  live: LiveDocument[],
  policy: ConflictPolicy,
  dedupe: boolean,
): Map<string, Decision> {
  const byRecordId = new Map(live.map((doc) => [doc.recordId, doc]));
  const matchKeys = dedupe ? (traits.matchKeys ?? undefined) : undefined;
  // Only documents the user wrote count as re-entered; restored ones are ours.
  const reentered = new Set(matchKeys ? live.filter((d) => !d.restore && d.data).flatMap((d) => matchKeys(d.data!)) : []);
  const plan = new Map<string, Decision>();
  for (const record of records) {
    plan.set(
      record.recordId,
      decide(record, byRecordId.get(record.recordId), policy, () => matchKeys?.(record.data).some((k) => reentered.has(k)) ?? false),
    );
  }
  return plan;
}

function decide(record: RecoveredRecord, live: LiveDocument | undefined, policy: ConflictPolicy, isReentered: () => boolean): Decision {
  if (live?.restore?.sha256 === record.sha256.toLowerCase()) return { action: 'present' };
  if (live) {
    if (policy === 'keep-live') return { action: 'keep-live' };
    if (policy === 'keep-newer' && live.updatedAt && live.updatedAt.getTime() > Date.parse(record.updatedAt)) return { action: 'keep-live' };
    return { action: 'replace', live };
  }
  return isReentered() ? { action: 'duplicate' } : { action: 'insert' };
}
