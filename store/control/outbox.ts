import type { Category } from '../../domain/categories';
import { sha256Hex } from '../../domain/digest';
import { appendTo } from '../../domain/maps';
import { InputError } from '../../domain/errors';
import { INSERT_BATCH, writeIdempotent } from '../mongo/bulk';
import type { Counts } from './campaign-report';
import type { ControlCollections, EndState, UndoCounts } from './control-collections';

export type { EndState };

/**
 * The outbox: one event per end state a user-category reaches in a campaign (or its
 * replays), and one per user once every category of the campaign has ended (`category`
 * null), for an application to tell its users what came back (docs/design.md §5). Ids
 * and counts only, never record contents.
 *
 * Readers page through it in the order events were recorded, by a cursor. The stand-in
 * serves only equalities from an index (no range, no sort), so events are filed in slots
 * of {@link SLOT_MS} by the time they are written, and a directory lists the slots of each
 * hour: a page is a few equality reads wherever the cursor stands. A slot is read once it
 * has settled ({@link SETTLE_MS} after its end); a write that took longer than
 * {@link LATE_WRITE_MS} files its events again in the slot of now, as a retried write
 * does with the events an earlier attempt wrote, so no event lands in a slot a reader
 * has passed. An event may then be read twice, always under the same id.
 *
 * A campaign's batches file their ends a write at a time ({@link OutboxWriteDoc}); a
 * replay's, an undo's and a batch's failed users' are filed one document each
 * ({@link OutboxEventDoc}), keyed by the transition, so that announcing an end already
 * announced is a no-op.
 */

/** An event as readers get it. */
export interface OutboxEvent {
  /**
   * Deterministic: campaign, category (`~` for the user's, which sorts after a category's: a
   * user's event follows its last category's in a slot), user and state; a repeated write of
   * the same transition is a no-op.
   */
  _id: string;
  campaignId: string;
  userId: string;
  category: Category | null;
  state: EndState | 'undone';
  /** The status's counts; an undo's event adds what it did. */
  counts: Counts & Partial<UndoCounts>;
  at: Date;
}

/** An event filed on its own: a replay's or an undo's (and every event recorded before batches filed theirs by the write). */
export interface OutboxEventDoc extends OutboxEvent {
  /** The slot it is filed in: readers page by it. */
  slot: string;
}

/** An event as a write's document packs it: userId, category, state, counts. */
type PackedEvent = [string, Category | null, OutboxEvent['state'], OutboxEvent['counts']];

/**
 * Up to {@link MAX_EVENTS_PER_WRITE_DOC} events of one campaign, as one write of a batch files
 * them: one document where an event each cost the stand-in about as much as a restored record
 * (the last wave, with two events per user, wrote more events than records).
 */
export interface OutboxWriteDoc {
  /** The writer's key and a digest of the events' ids: the same write repeated is a no-op. */
  _id: string;
  /** The activity that wrote it, the same across its attempts: a retry files only the events its earlier attempts did not. */
  writer: string;
  campaignId: string;
  at: Date;
  slot: string;
  /** PackedEvent[], as JSON: one value to the store, however many events. */
  events: string;
}

export type OutboxDoc = OutboxEventDoc | OutboxWriteDoc;

export interface OutboxSlotDoc {
  _id: string;
  hour: string;
}

/** An event as it ends: what the writer knows; the outbox adds its key, time and slot. */
export type EndEvent = Pick<OutboxEvent, 'campaignId' | 'userId' | 'category' | 'state' | 'counts'>;

/** Events are filed in slots of this many milliseconds. */
export const SLOT_MS = 5_000;
/** A slot is read once this long has passed since its end: longer than an event's write may take. */
export const SETTLE_MS = 15_000;
/** A write of events slower than this files them again in the slot of its end. */
export const LATE_WRITE_MS = 5_000;
/** Events per page at most. */
export const MAX_EVENTS_PAGE = 1000;
/** Events a write's document holds at most: some 150 KB. */
export const MAX_EVENTS_PER_WRITE_DOC = 1000;

export function eventKey(e: Pick<EndEvent, 'campaignId' | 'userId' | 'category' | 'state'>): string {
  return `${e.campaignId}|${e.category ?? '~'}|${e.userId}|${e.state}`;
}

/** The events a document of the outbox files, whichever its kind. */
export function filedEvents(doc: OutboxDoc): OutboxEvent[] {
  if (!('events' in doc)) {
    const { slot: _slot, ...event } = doc;
    return [event];
  }
  const { campaignId, at } = doc;
  return (JSON.parse(doc.events) as PackedEvent[]).map(([userId, category, state, counts]) => ({
    _id: eventKey({ campaignId, userId, category, state }),
    campaignId,
    userId,
    category,
    state,
    counts,
    at,
  }));
}

function slotOf(at: Date): string {
  return new Date(Math.floor(at.getTime() / SLOT_MS) * SLOT_MS).toISOString();
}

/** The hour of a slot or a time, as the directory files it: `2026-12-03T19`. */
function hourOf(slotOrTime: string): string {
  return slotOrTime.slice(0, 13);
}

async function fileSlot(c: ControlCollections, slot: string): Promise<void> {
  await writeIdempotent(c.outboxSlots, [{ insertOne: { document: { _id: slot, hour: hourOf(slot) } } }], 1);
}

/** Files these documents in the slot of now, one update each: only documents whose first filing a reader may have passed. */
async function refile(c: ControlCollections, ids: string[]): Promise<void> {
  const slot = slotOf(new Date());
  await fileSlot(c, slot);
  for (const _id of ids) await c.outbox.updateOne({ _id }, { $set: { slot } });
}

/** The documents a write filed, and those already there that it found (taken keys, or an earlier attempt's). */
interface Filed {
  written: string[];
  found: string[];
}

/** Inserts the documents; those whose key is taken are found, with `earlier`, the ids of documents already known to be there. */
async function insertFiled(c: ControlCollections, docs: OutboxDoc[], earlier: string[] = []): Promise<Filed> {
  const { taken } = await writeIdempotent(
    c.outbox,
    docs.map((document) => ({ insertOne: { document } })),
    INSERT_BATCH,
  );
  const found = new Set([...earlier, ...taken.map((i) => docs[i]._id)]);
  return { written: docs.map((d) => d._id).filter((id) => !found.has(id)), found: [...found] };
}

/** One document per event, keyed by the transition: an event already there is found, not written again. */
function fileAlone(c: ControlCollections, events: EndEvent[], at: Date, slot: string): Promise<Filed> {
  return insertFiled(
    c,
    events.map((e) => ({ _id: eventKey(e), ...e, at, slot })),
  );
}

/** The events as a writer's documents, a campaign's at a time, leaving out those its earlier attempts filed. */
async function fileByWrite(c: ControlCollections, events: EndEvent[], at: Date, slot: string, writer: string, retried: boolean): Promise<Filed> {
  const earlier = retried ? await c.outbox.find({ writer }).toArray() : [];
  const known = new Set(earlier.flatMap((doc) => filedEvents(doc).map((e) => e._id)));
  const byCampaign = new Map<string, EndEvent[]>();
  for (const e of events) if (!known.has(eventKey(e))) appendTo(byCampaign, e.campaignId, [e]);
  const docs: OutboxWriteDoc[] = [];
  for (const [campaignId, fresh] of byCampaign)
    for (let i = 0; i < fresh.length; i += MAX_EVENTS_PER_WRITE_DOC) {
      const part = fresh.slice(i, i + MAX_EVENTS_PER_WRITE_DOC);
      const packed: PackedEvent[] = part.map((e) => [e.userId, e.category, e.state, e.counts]);
      const _id = `${writer}|${sha256Hex(part.map(eventKey).join('\n')).slice(0, 16)}`;
      docs.push({ _id, writer, campaignId, at, slot, events: JSON.stringify(packed) });
    }
  return insertFiled(
    c,
    docs,
    earlier.map((d) => d._id),
  );
}

/**
 * Writes events, each once: an event already there (an earlier attempt's, or, filed alone,
 * the same transition recorded again) is left as it is, or, when `retried`, filed again,
 * since the attempt that wrote it may have ended before knowing it was filed in time. With
 * a `writer`, the events are filed a write at a time ({@link OutboxWriteDoc}): a campaign's
 * batches' ends; without, one document each: a replay's, an undo's and failed users', whose
 * ends may repeat ones announced by other writers.
 */
export async function writeEvents(c: ControlCollections, events: EndEvent[], { retried, writer }: { retried: boolean; writer?: string }): Promise<void> {
  if (!events.length) return;
  const at = new Date();
  const slot = slotOf(at);
  // The slot is listed before its events exist: a reader that finds it early reads it only once it has settled.
  await fileSlot(c, slot);
  const { written, found } = writer === undefined ? await fileAlone(c, events, at, slot) : await fileByWrite(c, events, at, slot, writer, retried);
  if (Date.now() - at.getTime() > LATE_WRITE_MS) await refile(c, [...written, ...found]);
  else if (retried && found.length) await refile(c, found);
}

/** Where a reader stands: the slot it read last and, within it, the last event's id. */
interface Cursor {
  slot: string;
  id: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.slot, cursor.id])).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const [slot, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof slot === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(slot))) return { slot, id };
  } catch {
    // Reported below, the same for every malformed cursor.
  }
  throw new InputError(`not an events cursor: ${text.slice(0, 40)}`);
}

export interface EventsPage {
  events: OutboxEvent[];
  /** Where to read on from; absent when nothing has been recorded yet. Never an offset: events recorded meanwhile are not skipped. */
  next?: string;
}

/** The hour the first event of these campaigns can be in: their earliest creation's. */
async function firstHour(c: ControlCollections, campaignId: string | undefined): Promise<string | undefined> {
  const campaigns = await c.campaigns.find(campaignId ? { _id: campaignId } : {}, { projection: { createdAt: 1 } }).toArray();
  const times = campaigns.map((doc) => new Date(doc.createdAt).getTime()).filter((t) => !Number.isNaN(t));
  return times.length ? hourOf(new Date(Math.min(...times)).toISOString()) : undefined;
}

function nextHour(hour: string): string {
  return hourOf(new Date(Date.parse(`${hour}:00:00.000Z`) + 3_600_000).toISOString());
}

/**
 * Up to `limit` events after `after` (from the first when absent), of one campaign or of
 * all, in the order they were recorded (by slot, then id), from slots that have settled.
 * The cursor it answers moves past the slots it read, so a follower polling with it reads
 * each settled slot once.
 */
export async function readEvents(
  c: ControlCollections,
  { after, campaignId, limit, now = new Date() }: { after?: string; campaignId?: string; limit: number; now?: Date },
): Promise<EventsPage> {
  const from = after === undefined ? undefined : decodeCursor(after);
  const settled = new Date(now.getTime() - SETTLE_MS - SLOT_MS).toISOString();
  const events: EventsPage['events'] = [];
  let cursor = from;
  const lastHour = hourOf(settled);
  for (let hour = from ? hourOf(from.slot) : await firstHour(c, campaignId); hour !== undefined && hour <= lastHour; hour = nextHour(hour)) {
    const slots = (await c.outboxSlots.find({ hour }).toArray()).map((s) => s._id).sort();
    for (const slot of slots) {
      if (slot > settled || (cursor && slot < cursor.slot)) continue;
      // An event filed twice in a slot (by writes that raced) is read once.
      const filed = new Map<string, OutboxEvent>();
      for (const doc of await c.outbox.find(campaignId ? { slot, campaignId } : { slot }).toArray()) for (const e of filedEvents(doc)) if (!filed.has(e._id)) filed.set(e._id, e);
      const unread = [...filed.values()].filter((e) => !cursor || slot > cursor.slot || e._id > cursor.id).sort((a, b) => (a._id < b._id ? -1 : 1));
      for (const event of unread.slice(0, limit - events.length)) {
        events.push(event);
        cursor = { slot, id: event._id };
      }
      if (events.length === limit) return { events, next: encodeCursor(cursor!) };
      // The slot is read to its end: the cursor passes it, past any id.
      cursor = { slot, id: '\uffff' };
    }
  }
  return { events, ...(cursor ? { next: encodeCursor(cursor) } : {}) };
}
