import { Context, log } from '@temporalio/activity';
import type { Db } from 'mongodb';
import { LiveStoreRaceError } from '../domain/errors';
import { blobDigest, CATEGORY_TRAITS } from '../domain/category-traits';
import type { ControlCollections } from '../store/control/control-collections';
import { applyLiveWrites, type LiveWrite, readLiveDocuments } from '../store/live/live-store';
import { liveIndexing } from '../store/live/live-indexes';
import type { LiveDocument } from '../domain/restore-plan';
import { readingSnapshot } from '../snapshot/availability';
import { readStagedOfUsers, stagedRecords, validCount } from '../store/control/staged-reads';
import { ensureBlobs } from '../store/live/live-blobs';
import { finalState, userStatusWriter } from '../store/control/status-writer';
import { countsOf } from '../store/control/campaign-report';
import { announceEnds, eventWriter } from './announce';
import { keepReplaced } from '../store/control/replaced';
import { ofEarlierRun, pageKey } from '../store/control/user-pages';
import { batchOutcome, landRound, noteRefusals, outcomeOf, planRound, type Refusals, type Round } from './restore-round';
import type { BatchOutcome, MarkFailedInput, RestoreBatchInput } from '../workflows/contracts';

/** Read-plan-write rounds before a batch gives up on live documents that keep changing under it. */
const MAX_ROUNDS = 4;

/**
 * A seam for tests, never set in production: `beforeWrites` runs in each round between the
 * restore's read of the live documents and its writes, where an application's write would
 * race it, so that a test can make that race happen instead of hoping for it.
 */
export interface RestoreHooks {
  beforeWrites?(writes: readonly LiveWrite[], round: number, attempt: number): Promise<void>;
}

/** Activities that restore batches of users into the target database and record their status. */
export function restoreActivities(target: Db, c: ControlCollections, hooks: RestoreHooks = {}) {
  /**
   * The status writer of the batch's category, tagging the entries it creates with their
   * user's page of users.ndjson, for a batch to mark a page at a time.
   */
  function statusWriter(input: RestoreBatchInput, userPageLines: number | undefined) {
    const lineOf = new Map(input.users.map((u) => [u.userId, u.line]));
    return userStatusWriter(c, input.campaignId, input.category, (userId) => {
      const line = lineOf.get(userId);
      return line === undefined || userPageLines === undefined ? undefined : pageKey(input.campaignId, input.category, line, userPageLines);
    });
  }

  /**
   * Opens a batch: its staged records read back, its users' live documents and, on a retried
   * attempt or a replay, its users marked restoring, the waits on the store at once. A first
   * attempt marks nothing: each user's entry is written once, when it ends (markDone); until
   * then it reads as pending. A retry's mark lands before its first write, and tells support
   * of the attempts.
   */
  async function openBatch(input: RestoreBatchInput, insertsFirst: boolean, lap: (phase: string) => void) {
    const { campaignId, category, users } = input;
    const { attempt } = Context.current().info;
    // Pages: of users.ndjson, for the statuses; and of this category's staged documents, which the batch reads by.
    const campaign = await c.campaigns.findOne({ _id: campaignId }, { projection: { pageLines: 1, categories: 1 } });
    const pages = campaign?.pageLines;
    const status = statusWriter(input, pages?.users);
    const now = new Date();
    const marking = attempt > 1 || ofEarlierRun(users);
    const [, { records, quarantined }, live] = await Promise.all([
      marking
        ? status
            .markRestoring(
              users.map((u) => ({ userId: u.userId, expected: u.expected[category] ?? 0, attemptsBefore: u.attemptsBefore })),
              attempt,
              now,
              input.initCategories.includes(category),
            )
            .then(() => lap('status marked'))
        : undefined,
      readStagedOfUsers(c, campaignId, category, users, pages?.[category]).then(async (staged) => {
        lap('staged read');
        const records = await readingSnapshot(input.snapshotDir, { category }, () => stagedRecords(staged, category, input.snapshotDir));
        lap('staged records read back');
        return { ...staged, records };
      }),
      // Inserting first, the batch reads only the users whose inserts meet a document.
      insertsFirst
        ? new Map<string, LiveDocument[]>()
        : readLiveDocuments(
            target,
            category,
            users.map((u) => u.userId),
          ).then((docs) => (lap('live records read'), docs)),
    ]);
    return { status, now, records, quarantined, live, categories: campaign?.categories ?? [category], userPageLines: pages?.users };
  }

  type OpenBatch = Awaited<ReturnType<typeof openBatch>>;

  /** On the first wave's entries, what the user expects of the later categories, which have no entries until they end. */
  function expectedOfLater(input: RestoreBatchInput, user: RestoreBatchInput['users'][number]) {
    const later = input.initCategories.filter((cat) => cat !== input.category);
    return later.length ? { expectedOf: Object.fromEntries(later.map((cat) => [cat, user.expected[cat] ?? 0])) } : {};
  }

  /**
   * Whether the batch may insert its records before it reads any live document, and read
   * only the users whose inserts meet one: when the live collection has the application's
   * unique (userId, recordId) index, so that an insert can never land beside a document of
   * the same record, and nothing but the record id decides (no de-duplication by content,
   * no blobs to upload first, not a dry run). After an outage most users have nothing live
   * in a category, and a read per user is most of what restoring a small category costs.
   */
  async function insertsGoFirst(input: RestoreBatchInput): Promise<boolean> {
    const traits = CATEGORY_TRAITS[input.category];
    if (input.dryRun || traits.blob || (input.dedupe && traits.matchKeys)) return false;
    return (await liveIndexing(target, [input.category]))[input.category].uniqueRecordKey;
  }

  /** Blobs first: a restored document then never names a blob the store lacks. */
  async function ensureBlobsOf(input: RestoreBatchInput, writes: LiveWrite[]): Promise<void> {
    const traits = CATEGORY_TRAITS[input.category];
    const blobs = traits.blob ? writes.map((w) => blobDigest(traits.blob!, w.record.data)).filter((d): d is string => d !== undefined) : [];
    if (!blobs.length) return;
    const { snapshotDir } = input;
    const info = Context.current().info;
    const key = { key: `${info.workflowExecution?.workflowId}/${info.activityId}`, attempt: info.attempt };
    await readingSnapshot(snapshotDir, { blobs: true }, () => ensureBlobs(target, traits.blob!, snapshotDir, blobs, key));
  }

  /**
   * The batch's read-plan-write rounds: each decides the users whose writes raced in the one
   * before (all of them at first) on a fresh read, until nothing is left to write. Says what
   * was decided for each user's records, and which the store refused.
   */
  async function restoreRounds(input: RestoreBatchInput, batch: OpenBatch, insertsFirst: boolean, lap: (phase: string) => void) {
    const { category } = input;
    const context = Context.current();
    const provenance = { campaignId: input.campaignId, snapshotId: input.snapshotId, restoredAt: batch.now };
    const refused: Refusals = new Map();
    const plans: Round['plans'] = new Map();
    let deciding = input.users.map((u) => u.userId);
    for (let n = 1; ; n++) {
      const live = n === 1 ? batch.live : await readLiveDocuments(target, category, deciding);
      if (n > 1) lap(`round ${n}: live documents read`);
      const round = planRound(CATEGORY_TRAITS[category], deciding, batch.records, live, { policy: input.policy, dedupe: input.dedupe, refused });
      for (const [userId, plan] of round.plans) plans.set(userId, plan);
      if (round.writes.length === 0) break;
      // A dry run counts each write as landed: the recovered version is what the store would then hold.
      if (input.dryRun) {
        landRound(round);
        break;
      }
      if (n === MAX_ROUNDS) throw new LiveStoreRaceError(`${round.writes.length} ${category} writes kept meeting live documents that changed under them`);
      await ensureBlobsOf(input, round.writes);
      // What a replace takes away is kept first, for undo to put back.
      await keepReplaced(
        c,
        input.campaignId,
        category,
        round.writes.flatMap((w) => (w.kind === 'replace' ? [w] : [])),
      );
      await hooks.beforeWrites?.(round.writes, n, context.info.attempt);
      const applied = await applyLiveWrites(target, category, round.writes, provenance, () => context.heartbeat({ round: n }));
      noteRefusals(refused, applied.refused);
      lap(`round ${n}: ${round.writes.length} writes applied${insertsFirst && n === 1 ? ' (inserts first)' : ''}`);
      // A write that met what it was decided on holds its recovered version now, as reading
      // again would find; a refused one is not written again. Only users whose writes raced are decided again.
      const refusedWrites = new Set(applied.refused.map((r) => r.write));
      landRound(round, (w) => !refusedWrites.has(w) && !applied.racedUsers.has(w.userId));
      if (applied.racedUsers.size === 0) break;
      deciding = [...applied.racedUsers];
    }
    return { plans, refused };
  }

  return {
    /**
     * Restores one category of a batch of users from the staged records. Reads the
     * users' live documents, decides per record (docs/design.md §4), applies conditional
     * writes, and where a write raced, reads again until nothing is left to write: a crash at any point
     * leaves writes that the next attempt finds and counts, never repeats. A dry run stops
     * before the first write and records what the writes would have left.
     */
    async restoreUsers(input: RestoreBatchInput): Promise<BatchOutcome> {
      const { campaignId, category, users } = input;
      const started = Date.now();
      const lap = (phase: string) => log.debug('restore phase', { campaignId, category, phase, ms: Date.now() - started });
      const insertsFirst = await insertsGoFirst(input);
      const batch = await openBatch(input, insertsFirst, lap);
      const { plans, refused } = await restoreRounds(input, batch, insertsFirst, lap);
      const outcomes = users.map(({ userId, expected }) =>
        outcomeOf(userId, expected[category] ?? 0, [...(plans.get(userId)?.values() ?? [])], batch.quarantined.get(userId) ?? 0, refused.get(userId)),
      );
      const { attempt } = Context.current().info;
      await batch.status.markDone(
        outcomes.map((o, i) => ({ ...o, attempts: (users[i].attemptsBefore ?? 0) + attempt, ...expectedOfLater(input, users[i]) })),
        new Date(),
      );
      lap('status written');
      // Events after statuses: an application never tells a user what support cannot see yet.
      if (!input.dryRun) {
        const ends = outcomes.map((o) => ({ userId: o.userId, state: finalState(o), counts: countsOf(o) }));
        await announceEnds(c, { campaignId, category, categories: batch.categories, users, ends, pageLines: batch.userPageLines, writer: eventWriter() });
        lap('events written');
      }
      const outcome = batchOutcome(outcomes);
      log.info('batch restored', { campaignId, category, users: users.length, partial: outcome.partial, failed: outcome.failed });
      return outcome;
    },

    /**
     * Answers once the store serves a read of the control database again; fails (to be
     * retried) while it does not. A read that reaches the store's storage, not a ping:
     * FerretDB answers pings while its PostgreSQL is down.
     */
    async waitForStore(input: { campaignId: string }): Promise<void> {
      await c.campaigns.findOne({ _id: input.campaignId }, { projection: { _id: 1 } });
    },

    /**
     * Records that a batch ran out of retries; its users become `failed`, replayable, with
     * what the snapshot holds for them (received, valid, quarantined, missing), so support
     * can tell "not restored yet" from "not in the backup".
     */
    async markUsersFailed(input: MarkFailedInput): Promise<BatchOutcome> {
      const { campaignId, category, userIds } = input;
      const campaign = await c.campaigns.findOne({ _id: campaignId }, { projection: { categories: 1, dryRun: 1, pageLines: 1 } });
      // By page where every user's line came along, else one query per user (a batch recorded before lines were passed).
      const staged = await readStagedOfUsers(
        c,
        campaignId,
        category,
        userIds.map((userId) => ({ userId, line: input.lines?.[userId] })),
        campaign?.pageLines?.[category],
      );
      const received = userIds.map((userId) => {
        const counts = { valid: validCount(staged, userId), quarantined: staged.quarantined.get(userId) ?? 0 };
        const expected = input.expected[userId];
        return { userId, ...counts, received: counts.valid + counts.quarantined, expected, missing: Math.max(0, expected - counts.valid - counts.quarantined) };
      });
      await userStatusWriter(c, campaignId, category).markFailed(received, input.error, new Date());
      if (!campaign?.dryRun) {
        const ends = received.map(({ userId, ...counts }) => ({ userId, state: 'failed' as const, counts: countsOf({ restored: 0, keptLive: 0, duplicates: 0, ...counts }) }));
        const users = userIds.map((userId) => ({ userId, expected: {} }));
        // Filed alone: a replay's batch may fail users whose failure was announced before, and failures are few.
        await announceEnds(c, { campaignId, category, categories: campaign?.categories ?? [category], users, ends, writer: { retried: eventWriter().retried } });
      }
      log.warn('batch failed', { campaignId: input.campaignId, category: input.category, users: input.userIds.length, error: input.error.class });
      const quarantined = received.reduce((n, r) => n + r.quarantined, 0);
      const missing = received.reduce((n, r) => n + r.missing, 0);
      return { restored: 0, partial: 0, failed: input.userIds.length, records: { restored: 0, keptLive: 0, duplicates: 0, quarantined, missing } };
    },
  };
}
