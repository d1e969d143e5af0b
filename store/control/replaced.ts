import type { Category } from '../../domain/categories';
import type { LiveDocument } from '../../domain/restore-plan';
import { INSERT_BATCH, writeIdempotent } from '../mongo/bulk';
import type { ControlCollections } from './control-collections';

/**
 * The live versions a campaign replaced, kept in the control database before it replaced
 * them, so that `restorectl undo` can put them back (activities/undo.ts). Only replaces
 * keep anything: after an outage most restored documents are inserts.
 */
export interface ReplacedDoc {
  /** The campaign, the category and the live document's `_id`. */
  _id: string;
  campaignId: string;
  category: Category;
  userId: string;
  /** The live document as it was before the campaign's replace. */
  document: LiveDocument;
}

function replacedId(campaignId: string, category: Category, liveId: unknown): string {
  return `${campaignId}|${category}|${String(liveId)}`;
}

/**
 * Keeps the live versions about to be replaced. The first kept stays: a retried attempt, or a
 * later round, finds the key taken and leaves it, since by then the live version may already
 * be the campaign's own.
 */
export async function keepReplaced(c: ControlCollections, campaignId: string, category: Category, replaces: { userId: string; live: LiveDocument }[]): Promise<void> {
  if (!replaces.length) return;
  await writeIdempotent(
    c.replaced,
    replaces.map(({ userId, live }) => ({ insertOne: { document: { _id: replacedId(campaignId, category, live._id), campaignId, category, userId, document: live } } })),
    INSERT_BATCH,
  );
}

/** The versions a campaign replaced of one user's documents in a category, by the live `_id`. */
export async function replacedOf(c: ControlCollections, campaignId: string, category: Category, userId: string): Promise<Map<string, LiveDocument>> {
  const docs = await c.replaced.find({ userId, campaignId, category }).toArray();
  return new Map(docs.map((d) => [String(d.document._id), d.document]));
}
