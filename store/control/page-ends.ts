import type { Category } from '../../domain/categories';
import { setIn } from '../../domain/maps';
import { COUNT_FIELDS, type Counts } from './campaign-report';
import type { ControlCollections, EndState } from './control-collections';
import { pageKey } from './user-pages';

/**
 * How the users of a page of users.ndjson ended in each category of a campaign: one small
 * document per page, one update per batch, so that the last wave learns when a user's
 * every category has ended (the outbox's per-user event) from one read of its page, not
 * a read of each user's statuses. A helper of the campaign's own waves: a replay reads
 * its users' statuses instead.
 */

/** A user's end in one category. */
export interface UserEnd {
  userId: string;
  state: EndState;
  counts: Counts;
}

/**
 * A UserEnd as a page holds it: the user, its state, then the counts in COUNT_FIELDS order,
 * joined by spaces (which no user id holds): the stand-in stores no array inside an array.
 */
type StoredEnd = string;

function storedEnd(end: UserEnd): StoredEnd {
  return [end.userId, end.state, ...COUNT_FIELDS.map((f) => end.counts[f])].join(' ');
}

function userEnd(stored: StoredEnd): UserEnd {
  const [userId, state, ...counts] = stored.split(' ');
  return { userId, state: state as EndState, counts: Object.fromEntries(COUNT_FIELDS.map((f, i) => [f, Number(counts[i])])) as Counts };
}

export interface PageEndsDoc {
  /** The page's tag under `users` (store/control/user-pages.ts). */
  _id: string;
  campaignId: string;
  /** Per category, per part of a page a batch ended (`p` and its first line): its users' ends. */
  ends: Partial<Record<Category, Record<string, StoredEnd[]>>>;
}

/** A user of a batch with the line that places it in its page. */
interface PlacedUser {
  userId: string;
  line: number;
}

/** Records how these users ended in `category`, one update per page they are on (one, for a campaign's batch). */
export async function recordPageEnds(c: ControlCollections, campaignId: string, category: Category, users: PlacedUser[], ends: UserEnd[], pageLines: number): Promise<void> {
  const lineOf = new Map(users.map((u) => [u.userId, u.line]));
  const byPage = new Map<string, { first: number; rows: StoredEnd[] }>();
  for (const end of ends) {
    const line = lineOf.get(end.userId);
    if (line === undefined) continue;
    const key = pageKey(campaignId, 'users', line, pageLines);
    const page = byPage.get(key) ?? { first: line, rows: [] };
    page.first = Math.min(page.first, line);
    page.rows.push(storedEnd(end));
    byPage.set(key, page);
  }
  for (const [_id, { first, rows }] of byPage) {
    await c.pageEnds.updateOne({ _id }, { $set: { [`ends.${category}.p${first}`]: rows }, $setOnInsert: { campaignId } }, { upsert: true });
  }
}

/** Every end a page's document holds, with its category, its parts in the order stored. */
function* endsOfPage(doc: PageEndsDoc | null): Generator<[Category, UserEnd]> {
  for (const [category, parts] of Object.entries(doc?.ends ?? {}) as [Category, Record<string, StoredEnd[]>][]) {
    for (const stored of Object.values(parts).flat()) yield [category, userEnd(stored)];
  }
}

/** How the users of these pages ended so far, per user and category. */
export async function readPageEnds(c: ControlCollections, campaignId: string, users: PlacedUser[], pageLines: number): Promise<Map<string, Map<Category, UserEnd>>> {
  const found = new Map<string, Map<Category, UserEnd>>();
  for (const _id of new Set(users.map((u) => pageKey(campaignId, 'users', u.line, pageLines)))) {
    for (const [category, end] of endsOfPage(await c.pageEnds.findOne({ _id }))) setIn(found, end.userId, category, end);
  }
  return found;
}

/** Every end a campaign's batches recorded, per category and user. */
export async function readCampaignEnds(c: ControlCollections, campaignId: string): Promise<Map<Category, Map<string, UserEnd>>> {
  const found = new Map<Category, Map<string, UserEnd>>();
  for await (const doc of c.pageEnds.find({ campaignId })) for (const [category, end] of endsOfPage(doc)) setIn(found, category, end.userId, end);
  return found;
}

/** Drops a campaign's page ends once it has closed: its replays read statuses. */
export async function dropPageEnds(c: ControlCollections, campaignId: string): Promise<void> {
  await c.pageEnds.deleteMany({ campaignId });
}
