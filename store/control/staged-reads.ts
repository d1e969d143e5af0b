import type { Category } from '../../domain/categories';
import type { RecoveredRecord } from '../../domain/restore-plan';
import { appendTo } from '../../domain/maps';
import { readBackRecords, type StagedLine } from '../../snapshot/read-back';
import type { ControlCollections, StagedDoc, StagedLinesDoc } from './control-collections';
import { findPerUser } from '../mongo/per-user';
import { pageKey } from './user-pages';

/** What staging left for a batch of users in one category. */
export interface StagedOfUsers {
  /** Per user, the places of its valid lines in the category file. */
  lines: Map<string, StagedLine[]>;
  /** Per user, how many of its lines were quarantined. */
  quarantined: Map<string, number>;
}

/** How many valid records staging left for a user. */
export function validCount(staged: StagedOfUsers, userId: string): number {
  return staged.lines.get(userId)?.length ?? 0;
}

/** Per user, the valid records staging left, read back from the snapshot in `snapshotDir` (snapshot/read-back.ts). */
export async function stagedRecords(staged: StagedOfUsers, category: Category, snapshotDir: string): Promise<Map<string, RecoveredRecord[]>> {
  return staged.lines.size === 0 ? new Map() : readBackRecords(snapshotDir, category, staged.lines);
}

/** Adds a user's staged places of lines to what is read. */
function addStaged(into: Pick<StagedOfUsers, 'lines'>, doc: StagedLinesDoc): void {
  appendTo(into.lines, doc.userId, JSON.parse(doc.linesJson) as StagedLine[]);
}

/**
 * Adds the staged places of the `wanted` users in a page's documents. A user's own documents
 * (a replay's, or a user of very many lines) stand over its page's packed entry: a replay
 * stages its users afresh, and the entry a campaign packed for them is then out of date.
 */
function addPage(into: Pick<StagedOfUsers, 'lines'>, docs: StagedDoc[], wanted: Set<string>): void {
  const own = docs.filter((doc): doc is StagedLinesDoc => 'userId' in doc && wanted.has(doc.userId));
  for (const doc of own) addStaged(into, doc);
  const ownUsers = new Set(own.map((doc) => doc.userId));
  for (const doc of docs) {
    if (!('usersJson' in doc)) continue;
    for (const [userId, lines] of JSON.parse(doc.usersJson) as [string, StagedLine[]][]) if (wanted.has(userId) && !ownUsers.has(userId)) appendTo(into.lines, userId, lines);
  }
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
    const read: StagedOfUsers = { lines: new Map(), quarantined: new Map([...quarantined].map(([userId, docs]) => [userId, docs.length])) };
    // Only users' own documents match a userId: a page's packed entries are missed here, so callers pass every user's line (PagedUser.line).
    for (const doc of [...staged.values()].flat()) if ('linesJson' in doc) addStaged(read, doc);
    return read;
  }
  const pages = [...new Set(lines.map((l) => pageKey(campaignId, category, l!, pageLines)))];
  const read: StagedOfUsers = { lines: new Map(), quarantined: new Map() };
  for (const page of pages) {
    // Filtered on the page alone, the one field FerretDB looks up by index; the rest is sorted out here.
    addPage(read, await c.staged.find({ page }).toArray(), wanted);
    for (const doc of await c.quarantine.find({ page }, { projection: { userId: 1 } }).toArray()) {
      if (doc.userId !== null && wanted.has(doc.userId)) read.quarantined.set(doc.userId, (read.quarantined.get(doc.userId) ?? 0) + 1);
    }
  }
  return read;
}
