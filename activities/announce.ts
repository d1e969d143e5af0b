import { Context } from '@temporalio/activity';
import type { Category } from '../domain/categories';
import { type Counts, COUNT_FIELDS, countsOf } from '../store/control/campaign-report';
import { type ControlCollections, END_STATES, type EndState } from '../store/control/control-collections';
import { type EndEvent, writeEvents } from '../store/control/outbox';
import { readPageEnds, recordPageEnds, type UserEnd } from '../store/control/page-ends';
import { ofEarlierRun, type PagedUser } from '../store/control/user-pages';

/** What a batch (or a part of one) ended, to be announced in the outbox. */
export interface BatchEnds {
  campaignId: string;
  category: Category;
  /** The campaign's categories, in wave order. */
  categories: Category[];
  users: PagedUser[];
  ends: UserEnd[];
  /** Lines of users.ndjson per page, as the campaign pages them; absent for a campaign that predates page ends. */
  pageLines?: number;
  /** The activity announcing, as {@link eventWriter} names it. */
  writer: EventWriter;
}

/** Who announces: the activity, keyed the same across its attempts, and whether this attempt is a retry. */
export interface EventWriter {
  /** Absent: each event is filed alone, under its transition's key. */
  key?: string;
  /** What an earlier attempt wrote is not written again, and is filed again (store/control/outbox.ts). */
  retried: boolean;
}

/** The running activity as the outbox's writer: its workflow, run and activity id name it across its attempts. */
export function eventWriter(): EventWriter {
  const { workflowExecution, activityId, attempt } = Context.current().info;
  return { key: `${workflowExecution?.workflowId}/${workflowExecution?.runId}/${activityId}`, retried: attempt > 1 };
}

/** A user's state over all its categories: failed if any failed, else partial if any is, else restored. */
function overallState(states: EndState[]): EndState {
  if (states.includes('failed')) return 'failed';
  return states.includes('partial') ? 'partial' : 'restored';
}

function sumCounts(all: Counts[]): Counts {
  return Object.fromEntries(COUNT_FIELDS.map((f) => [f, all.reduce((n, counts) => n + counts[f], 0)])) as Counts;
}

/**
 * Announces what a batch ended: the event of each user-category, and for each user whose
 * every category of the campaign has now ended, the user's event. A campaign's batches
 * record their ends per page, and its last wave learns the earlier ones from there; a
 * replay's users (and any not found there) have theirs read from their statuses.
 */
export async function announceEnds(c: ControlCollections, batch: BatchEnds): Promise<void> {
  const { campaignId, category, categories } = batch;
  const replay = ofEarlierRun(batch.users);
  const placed = batch.pageLines !== undefined && !replay ? batch.users.flatMap((u) => (u.line === undefined ? [] : [{ userId: u.userId, line: u.line }])) : [];
  if (placed.length) await recordPageEnds(c, campaignId, category, placed, batch.ends, batch.pageLines!);
  const events: EndEvent[] = batch.ends.map((e) => ({ campaignId, userId: e.userId, category, state: e.state, counts: e.counts }));
  if (replay || category === categories[categories.length - 1]) events.push(...(await userEvents(c, batch, placed)));
  // A replay's ends may repeat ones announced before, by other writers: each is filed alone, under its transition's key.
  const { key, retried } = batch.writer;
  await writeEvents(c, events, { retried, ...(replay || key === undefined ? {} : { writer: key }) });
}

/** The per-user events of the batch's users whose every category has ended. */
async function userEvents(c: ControlCollections, batch: BatchEnds, placed: { userId: string; line: number }[]): Promise<EndEvent[]> {
  const { campaignId, category, categories } = batch;
  const known = placed.length ? await readPageEnds(c, campaignId, placed, batch.pageLines!) : new Map<string, Map<Category, UserEnd>>();
  const events: EndEvent[] = [];
  for (const end of batch.ends) {
    const ends = known.get(end.userId) ?? new Map<Category, UserEnd>();
    ends.set(category, end);
    const all = categories.every((cat) => ends.has(cat)) ? [...ends.values()] : await endsFromStatuses(c, campaignId, end, category, categories);
    if (all) events.push({ campaignId, userId: end.userId, category: null, state: overallState(all.map((e) => e.state)), counts: sumCounts(all.map((e) => e.counts)) });
  }
  return events;
}

/**
 * A user's ends in every category of the campaign: `category`'s as it just ended, the others'
 * from the user's statuses; null while one has not ended. Reads no status of `category`, so
 * it does not wait for this end's own status write.
 */
async function endsFromStatuses(c: ControlCollections, campaignId: string, end: UserEnd, category: Category, categories: Category[]): Promise<UserEnd[] | null> {
  const statuses = new Map((await c.status.find({ userId: end.userId, campaignId }).toArray()).map((s) => [s.category, s]));
  const ends: UserEnd[] = [];
  for (const other of categories) {
    const status = statuses.get(other);
    if (other === category) ends.push(end);
    else if (status && (END_STATES as readonly string[]).includes(status.state)) ends.push({ userId: end.userId, state: status.state as EndState, counts: countsOf(status) });
    else return null;
  }
  return ends;
}
