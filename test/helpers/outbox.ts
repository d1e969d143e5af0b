import type { ControlCollections } from '../../store/control/control-collections';
import { type EventsPage, filedEvents, type OutboxEvent, readEvents } from '../../store/control/outbox';

/** Every event the outbox files for a campaign, each with its slot, whichever way it is filed (store/control/outbox.ts). */
export async function storedEvents(c: ControlCollections, campaignId: string): Promise<(OutboxEvent & { slot: string })[]> {
  const docs = await c.outbox.find({ campaignId }).toArray();
  return docs.flatMap((doc) => filedEvents(doc).map((event) => ({ ...event, slot: doc.slot })));
}

/** A follower's read of a campaign's events from the first, `limit` a page, as at `now`, until a page is empty: what it read, and its last cursor. */
export async function followEvents(c: ControlCollections, campaignId: string, limit: number, now: Date): Promise<{ read: OutboxEvent[]; next?: string }> {
  const read: OutboxEvent[] = [];
  let page: EventsPage = { events: [] };
  do {
    page = await readEvents(c, { campaignId, after: page.next, limit, now });
    read.push(...page.events);
  } while (page.events.length);
  return { read, next: page.next };
}
