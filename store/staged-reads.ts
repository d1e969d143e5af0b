import type { Category } from '../domain/categories';
import type { RecoveredRecord } from '../domain/restore-plan';
import type { ControlCollections, StagedRecordDoc } from './control-collections';
import { findPerUser } from './per-user';
import { pageKey } from './user-pages';

/** The valid record a staged document holds, in either of the forms staging has kept it in; null when its line was quarantined. */
export function recordOf(doc: Pick<StagedRecordDoc, 'recordJson' | 'record'>): RecoveredRecord | null {
  if (typeof doc.recordJson === 'string') return JSON.parse(doc.recordJson) as RecoveredRecord;
  return doc.record ?? null;
}

/** What staging left for a batch of users in one category. */
export interface StagedOfUsers {
  /** Per user, the valid records. */
  records: Map<string, RecoveredRecord[]>;
  /** Per user, how many of its lines were quarantined. */
  quarantined: Map<string, number>;
}

/**
 * Reads the staged records and counts the quarantined lines of these users: by page when
 * the category was staged with page tags (`stagedPageLines`, the campaign's
 * `pageLines[category]`) and every user knows its line (one query per page, usually one
 * per batch), else by one query per user. `line` is the user's line in users.ndjson
 * (PagedUser, activities/types.ts).
 */
export async function readStagedOfUsers(
  c: ControlCollections,
  campaignId: string,
  category: Category,
  users: { userId: string; line?: number }[],
  stagedPageLines: number | undefined,
): Promise<StagedOfUsers> {
  const wanted = new Set(users.map((u) => u.userId));
  const lines = users.map((u) => u.line);
  const pageLines = lines.some((l) => l === undefined) ? undefined : stagedPageLines;
  if (pageLines === undefined) {
    const userIds = [...wanted];
    const staged = await findPerUser(c.staged, { campaignId, category }, userIds);
    const quarantined = await findPerUser(c.quarantine, { campaignId, category }, userIds, { projection: { userId: 1 } });
    const records = new Map([...staged].map(([userId, docs]) => [userId, docs.map(recordOf).filter((r): r is RecoveredRecord => r !== null)]));
    return { records, quarantined: new Map([...quarantined].map(([userId, docs]) => [userId, docs.length])) };
  }
  const pages = [...new Set(lines.map((l) => pageKey(campaignId, category, l!, pageLines)))];
  const records = new Map<string, RecoveredRecord[]>();
  const quarantined = new Map<string, number>();
  for (const page of pages) {
    // Filtered on the page alone, the one field FerretDB looks up by index; the rest is sorted out here.
    for (const doc of await c.staged.find({ page }).toArray()) {
      const record = recordOf(doc);
      if (record === null || !wanted.has(doc.userId)) continue;
      if (!records.has(doc.userId)) records.set(doc.userId, []);
      records.get(doc.userId)!.push(record);
    }
    for (const doc of await c.quarantine.find({ page }, { projection: { userId: 1 } }).toArray()) {
      if (doc.userId !== null && wanted.has(doc.userId)) quarantined.set(doc.userId, (quarantined.get(doc.userId) ?? 0) + 1);
    }
  }
  return { records, quarantined };
}
