import type { ControlCollections } from '../../store/control/control-collections';
import { filedEvents, type OutboxEvent } from '../../store/control/outbox';

/** Every event the outbox files for a campaign, each with its slot, whichever way it is filed (store/control/outbox.ts). */
export async function storedEvents(c: ControlCollections, campaignId: string): Promise<(OutboxEvent & { slot: string })[]> {
  const docs = await c.outbox.find({ campaignId }).toArray();
  return docs.flatMap((doc) => filedEvents(doc).map((event) => ({ ...event, slot: doc.slot })));
}
