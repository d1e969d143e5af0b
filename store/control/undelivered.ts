import type { ControlCollections } from './control-collections';

/**
 * Events a webhook delivery gave up on after trying for hours (activities/delivery.ts),
 * with the last reason, for `restorectl events --undelivered`: delivery moves past them so
 * that one event the receiver keeps refusing does not hold back every other user's.
 */
export interface UndeliveredDoc {
  /** The event's id. */
  _id: string;
  campaignId: string;
  reason: string;
  at: Date;
}

export async function recordUndelivered(c: ControlCollections, doc: UndeliveredDoc): Promise<void> {
  await c.undelivered.updateOne({ _id: doc._id }, { $set: doc }, { upsert: true });
}
