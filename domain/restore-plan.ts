import type { Category, ConflictPolicy } from './categories';

/** A live document as the restore sees it (DESIGN.md §4). */
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

/** The keys by which a recovered contact matches one the user re-entered: normalized e-mails and phone digits. */
export function contactMatchKeys(data: Record<string, unknown>): string[] {
  const keys: string[] = [];
  for (const email of (data.emails as { address?: unknown }[] | undefined) ?? []) {
    if (typeof email.address === 'string' && email.address.trim() !== '') keys.push(`email:${email.address.trim().toLowerCase()}`);
  }
  for (const phone of (data.phones as { number?: unknown }[] | undefined) ?? []) {
    const digits = typeof phone.number === 'string' ? phone.number.replace(/\D/g, '') : '';
    if (digits !== '') keys.push(`phone:${digits}`);
  }
  return keys;
}

/** The categories that are de-duplicated against what users re-entered, and how (DESIGN.md §4). */
const MATCH_KEYS: Partial<Record<Category, (data: Record<string, unknown>) => string[]>> = { contacts: contactMatchKeys };

/** The categories whose records name a blob to restore with them, and how (DESIGN.md §4). */
const BLOB_DIGEST: Partial<Record<Category, (data: Record<string, unknown>) => string | undefined>> = {
  photos: (data) => (typeof data.sha256 === 'string' ? data.sha256.toLowerCase() : undefined),
};

/** The sha256 of the blob a record of `category` names, if its category has blobs. */
export function blobDigest(category: Category, data: Record<string, unknown>): string | undefined {
  return BLOB_DIGEST[category]?.(data);
}

/**
 * Plans one user's records of one category against that user's live documents.
 * Pure: the caller reads the live store, applies the writes, and plans again until
 * nothing is left to write, so a write that lost a race is re-decided from fresh data.
 */
export function planUser(
  category: Category,
  records: RecoveredRecord[],
  live: LiveDocument[],
  policy: ConflictPolicy,
  dedupe: boolean,
): Map<string, Decision> {
  const byRecordId = new Map(live.map((doc) => [doc.recordId, doc]));
  const matchKeys = dedupe ? MATCH_KEYS[category] : undefined;
  // Only documents the user wrote count as re-entered; restored ones are ours.
  const reentered = new Set(matchKeys ? live.filter((d) => !d.restore && d.data).flatMap((d) => matchKeys(d.data!)) : []);
  const plan = new Map<string, Decision>();
  for (const record of records) {
    plan.set(record.recordId, decide(record, byRecordId.get(record.recordId), policy, () => matchKeys?.(record.data).some((k) => reentered.has(k)) ?? false));
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
