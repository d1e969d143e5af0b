import type { Category } from '../../domain/categories';
import { setIn } from '../../domain/maps';
import { COUNT_FIELDS, type Counts } from './campaign-report';
import type { ControlCollections, EndState } from './control-collections';
import { pageKey } from './user-pages';
import { INSERT_BATCH, writeIdempotent } from '../mongo/bulk';

/**
 * How the users of a page of users.ndjson ended in each category of a campaign: one small
 * document per batch's part of a page and category, so that the last wave learns when a
 * user's every category has ended (the outbox's per-user event) from one read of its page,
 * not a read of each user's statuses. A helper of the campaign's own waves: a replay reads
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
 * joined by spaces (which no user id holds).
 */
type StoredEnd = string;

function storedEnd(end: UserEnd): StoredEnd {
  return [end.userId, end.state, ...COUNT_FIELDS.map((f) => end.counts[f])].join(' ');
}

/** A loop, not a map of entries: the last wave and the close read every end of the campaign, hundreds of thousands at 20,000 users. */
function userEnd(stored: StoredEnd): UserEnd {
  const parts = stored.split(' ');
  const counts = {} as Counts;
  COUNT_FIELDS.forEach((f, i) => (counts[f] = Number(parts[i + 2])));
  return { userId: parts[0], state: parts[1] as EndState, counts };
}

/**
 * The ends of one batch's part of a page in one category. The stand-in's cost follows the
 * values a document holds and the bytes it rewrites: the part's ends are one string, and a
 * batch inserts its own document where it once rewrote the page's whole document of every
 * category (at 20,000 users the last wave spent some 3 s more, summed over its batches).
 */
interface PartEndsDoc {
  /** The page's tag under `users` (store/control/user-pages.ts), the category and the part's first line. */
  _id: string;
  campaignId: string;
  /** The page's tag: what a page's ends are read by. */
  page: string;
  category: Category;
  /** StoredEnd, one a line. */
  ends: string;
}

/** Ends as campaigns recorded them before parts had documents of their own: every category's parts of a page, under the page's tag. */
interface PageMapEndsDoc {
  _id: string;
  campaignId: string;
  ends: Partial<Record<Category, Record<string, StoredEnd[]>>>;
}

export type PageEndsDoc = PartEndsDoc | PageMapEndsDoc;

/** A user of a batch with the line that places it in its page. */
interface PlacedUser {
  userId: string;
  line: number;
}

/**
 * Records how these users ended in `category`, one document per page they are on (one, for a
 * campaign's batch). A retried batch replaces what an earlier attempt recorded.
 */
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
  const docs: PartEndsDoc[] = [...byPage].map(([page, { first, rows }]) => ({ _id: `${page}|${category}|p${first}`, campaignId, page, category, ends: rows.join('\n') }));
  const { taken } = await writeIdempotent(
    c.pageEnds,
    docs.map((document) => ({ insertOne: { document } })),
    INSERT_BATCH,
  );
  for (const i of taken) await c.pageEnds.replaceOne({ _id: docs[i]._id }, docs[i]);
}

/** Every end a page's documents hold, with its category. */
function* endsOf(doc: PageEndsDoc): Generator<[Category, UserEnd]> {
  if ('page' in doc) {
    for (const stored of doc.ends.split('\n')) yield [doc.category, userEnd(stored)];
    return;
  }
  for (const [category, parts] of Object.entries(doc.ends) as [Category, Record<string, StoredEnd[]>][]) {
    for (const stored of Object.values(parts).flat()) yield [category, userEnd(stored)];
  }
}

/** How the users of these pages ended so far, per user and category. */
export async function readPageEnds(c: ControlCollections, campaignId: string, users: PlacedUser[], pageLines: number): Promise<Map<string, Map<Category, UserEnd>>> {
  const found = new Map<string, Map<Category, UserEnd>>();
  for (const page of new Set(users.map((u) => pageKey(campaignId, 'users', u.line, pageLines)))) {
    // The document an earlier release kept the page's ends in, then the page's parts, which stand over it.
    const docs = [await c.pageEnds.findOne({ _id: page }), ...(await c.pageEnds.find({ page }).toArray())];
    for (const doc of docs) if (doc) for (const [category, end] of endsOf(doc)) setIn(found, end.userId, category, end);
  }
  return found;
}

/** Every end a campaign's batches recorded, per category and user. */
export async function readCampaignEnds(c: ControlCollections, campaignId: string): Promise<Map<Category, Map<string, UserEnd>>> {
  const found = new Map<Category, Map<string, UserEnd>>();
  const earlier = new Map<Category, Map<string, UserEnd>>();
  for await (const doc of c.pageEnds.find({ campaignId })) for (const [category, end] of endsOf(doc)) setIn('page' in doc ? found : earlier, category, end.userId, end);
  // A part's end stands over what an earlier release recorded for the same user (a batch retried across an upgrade).
  for (const [category, ends] of earlier) for (const [userId, end] of ends) if (!found.get(category)?.has(userId)) setIn(found, category, userId, end);
  return found;
}

/** Drops a campaign's page ends once it has closed: its replays read statuses. */
export async function dropPageEnds(c: ControlCollections, campaignId: string): Promise<void> {
  await c.pageEnds.deleteMany({ campaignId });
}
