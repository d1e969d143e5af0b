import { Context, log } from '@temporalio/activity';
import { GridFSBucket, type Db } from 'mongodb';
import type { Category } from '../domain/categories';
import { blobDigest, CATEGORY_TRAITS } from '../domain/category-traits';
import { jcsSha256 } from '../domain/digest';
import type { LiveDocument } from '../domain/restore-plan';
import { readLiveDocuments } from '../store/live/live-store';
import { type ControlCollections, controlIds, type UndoCounts } from '../store/control/control-collections';
import { replacedOf } from '../store/control/replaced';
import { writeEvents } from '../store/control/outbox';
import { countsOf } from '../store/control/campaign-report';

/** Users undone per heartbeat: a retried attempt resumes after the last chunk reported. */
const UNDO_CHUNK = 200;

export interface UndoInput {
  campaignId: string;
  category: Category;
  /** Only these users; absent: every user the campaign has a status for in the category. */
  userIds?: string[];
  /** Count what it would do, change nothing. */
  dryRun?: boolean;
}

/** What an undo did (or, dry, would do) in one category. */
export interface UndoOutcome extends UndoCounts {
  category: Category;
  users: number;
  blobsRemoved: number;
}

/** Where an undo of a category stands, kept in heartbeats across attempts. */
interface UndoProgress {
  chunks: number;
  outcome: UndoOutcome;
}

/** A restored document the user has not changed since: the campaign's provenance, and the data it wrote, byte for byte as JSON (RFC 8785). */
function untouched(doc: LiveDocument, campaignId: string): boolean {
  return doc.restore?.campaignId === campaignId && jcsSha256(doc.data) === doc.restore.sha256;
}

/** Activities that take back what a campaign wrote to the live store (`restorectl undo`). */
export function undoActivities(target: Db, c: ControlCollections) {
  /**
   * Takes back one user's documents of the category that the campaign wrote and the user has
   * not touched: each removed, or where it replaced a live version, that version put back;
   * both only if the document is still as read, so an edit made meanwhile is kept. Answers
   * the counts and the blobs the removed documents named.
   */
  async function undoUser(campaignId: string, category: Category, docs: LiveDocument[], dryRun: boolean) {
    const counts: UndoCounts = { removed: 0, putBack: 0, keptChanged: 0 };
    const digests = new Set<string>();
    const ours = docs.filter((d) => d.restore?.campaignId === campaignId);
    const prior = ours.length ? await replacedOf(c, campaignId, category, ours[0].userId) : new Map<string, LiveDocument>();
    const collection = target.collection<LiveDocument>(category);
    const blob = CATEGORY_TRAITS[category].blob;
    for (const doc of ours) {
      if (!untouched(doc, campaignId)) {
        counts.keptChanged += 1;
        continue;
      }
      const before = prior.get(String(doc._id));
      // Matched on the version read: a document the user changed since is not touched.
      const asRead = { _id: doc._id, 'restore.sha256': doc.restore!.sha256, updatedAt: doc.updatedAt ?? null } as never;
      const changed = dryRun ? 1 : before ? (await collection.replaceOne(asRead, before)).matchedCount : (await collection.deleteOne(asRead)).deletedCount;
      if (changed === 0) counts.keptChanged += 1;
      else counts[before ? 'putBack' : 'removed'] += 1;
      const digest = changed && blob && doc.data ? blobDigest(blob, doc.data) : undefined;
      if (digest) digests.add(digest);
    }
    return { counts, digests };
  }

  /** Removes the blobs no live document names any more; answers how many. */
  async function dropOrphanBlobs(category: Category, digests: Set<string>, dryRun: boolean): Promise<number> {
    const blob = CATEGORY_TRAITS[category].blob;
    if (!blob || dryRun) return 0;
    const bucket = new GridFSBucket(target, { bucketName: blob.bucket });
    let removed = 0;
    for (const digest of digests) {
      if (await target.collection(category).findOne({ [`data.${blob.digestField}`]: digest }, { projection: { _id: 1 } })) continue;
      for (const file of await bucket.find({ filename: digest }).toArray()) {
        await bucket.delete(file._id).catch(() => undefined); // gone already: an earlier attempt's
        removed += 1;
      }
    }
    return removed;
  }

  /** The users to undo in a category: those given, or those the campaign has a status for; sorted, so chunks are the same on every attempt. */
  async function usersToUndo(input: UndoInput): Promise<string[]> {
    if (input.userIds) return [...new Set(input.userIds)].sort();
    const statuses = await c.status.find({ campaignId: input.campaignId, category: input.category }, { projection: { userId: 1 } }).toArray();
    return statuses.map((s) => s.userId).sort();
  }

  /** Records a chunk's users as undone, with what was done, and announces it; users already undone keep their first counts. */
  async function markUndone(input: UndoInput, ended: Map<string, UndoCounts>): Promise<void> {
    const now = new Date();
    const events = [];
    for (const [userId, undo] of ended) {
      const _id = controlIds.status(input.campaignId, input.category, userId);
      const status = await c.status.findOneAndUpdate({ _id, state: { $ne: 'undone' } }, { $set: { state: 'undone', undo, updatedAt: now } }, { returnDocument: 'after' });
      if (status) events.push({ campaignId: input.campaignId, userId, category: input.category, state: 'undone' as const, counts: { ...countsOf(status), ...undo } });
    }
    await writeEvents(c, events, { retried: Context.current().info.attempt > 1 });
  }

  return {
    /**
     * Takes back what a campaign (and its replays) wrote to the live store in one category,
     * for its users or those given: restored documents the user has not changed since are
     * removed, or put back to the live version they replaced; changed ones are kept and
     * counted; blobs no longer named are removed. Users go in chunks, heartbeating the
     * counts, so a retried attempt resumes where the last left off; a document already taken
     * back is not found again. A dry run counts and changes nothing.
     */
    async undoCategory(input: UndoInput): Promise<UndoOutcome> {
      const context = Context.current();
      // The report the campaign closed with no longer holds once its statuses read undone: it is read from them again.
      if (!input.dryRun) await c.campaigns.updateOne({ _id: input.campaignId }, { $unset: { report: '' } });
      const users = await usersToUndo(input);
      const progress: UndoProgress = (context.info.heartbeatDetails as UndoProgress | undefined) ?? {
        chunks: 0,
        outcome: { category: input.category, users: users.length, removed: 0, putBack: 0, keptChanged: 0, blobsRemoved: 0 },
      };
      for (let start = progress.chunks * UNDO_CHUNK; start < users.length; start += UNDO_CHUNK) {
        const chunk = users.slice(start, start + UNDO_CHUNK);
        const live = await readLiveDocuments(target, input.category, chunk);
        const ended = new Map<string, UndoCounts>();
        const digests = new Set<string>();
        for (const userId of chunk) {
          const done = await undoUser(input.campaignId, input.category, live.get(userId) ?? [], input.dryRun ?? false);
          ended.set(userId, done.counts);
          for (const d of done.digests) digests.add(d);
          for (const f of ['removed', 'putBack', 'keptChanged'] as const) progress.outcome[f] += done.counts[f];
        }
        progress.outcome.blobsRemoved += await dropOrphanBlobs(input.category, digests, input.dryRun ?? false);
        if (!input.dryRun) await markUndone(input, ended);
        progress.chunks += 1;
        context.heartbeat(progress);
      }
      log.info('category undone', { campaignId: input.campaignId, dryRun: input.dryRun ?? false, ...progress.outcome });
      return progress.outcome;
    },
  };
}
