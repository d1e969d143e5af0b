import { Context, log } from '@temporalio/activity';
import type { Db } from 'mongodb';
import { InputError, LiveStoreRaceError, StoreRefusedError } from '../domain/errors';
import { blobDigest, CATEGORY_TRAITS } from '../domain/category-traits';
import { type Decision, planUser, type RecoveredRecord } from '../domain/restore-plan';
import type { ControlCollections } from '../store/control-collections';
import { applyLiveWrites, type LiveWrite, readLiveDocuments } from '../store/live-store';
import { readingSnapshot } from '../snapshot/availability';
import { readStagedOfUsers, stagedRecords, validCount } from '../store/staged-reads';
import { ensureBlobs } from '../store/live-blobs';
import { finalState, type UserOutcome, userStatusWriter } from '../store/status-writer';
import { pageKey } from '../store/user-pages';
import type { Category } from '../domain/categories';
import type { BatchOutcome, MarkFailedInput, RecordTally, RestoreBatchInput } from './types';

/** Read-plan-write rounds before a batch gives up on live documents that keep changing under it. */
const MAX_ROUNDS = 4;

/**
 * The counts of DESIGN.md §5 for one user, from the final decision on each valid record;
 * records the live store refused leave the user failed, with the reason.
 */
function outcomeOf(userId: string, expected: number, decisions: Decision[], quarantined: number, refused: Map<string, string> | undefined): UserOutcome {
  const received = decisions.length + quarantined;
  const count = (action: Decision['action']) => decisions.filter((d) => d.action === action).length;
  const reasons = [...new Set(refused?.values() ?? [])];
  return {
    error: reasons.length
      ? { class: StoreRefusedError.name, message: `the live store refused ${refused!.size} record${refused!.size === 1 ? '' : 's'}: ${reasons.join('; ')}`, cause: [...reasons].sort().join('; ') }
      : null,
    userId,
    expected,
    received,
    valid: decisions.length,
    quarantined,
    missing: Math.max(0, expected - received),
    restored: count('present'),
    keptLive: count('keep-live'),
    duplicates: count('duplicate'),
  };
}

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
  return {
    /**
     * Restores one category of a batch of users from the staged records. Reads the
     * users' live documents, decides per record (DESIGN.md §4), applies conditional
     * writes, and where a write raced, reads again until nothing is left to write: a crash at any point
     * leaves writes that the next attempt finds and counts, never repeats. A dry run stops
     * before the first write and records what the writes would have left.
     */
    async restoreUsers(input: RestoreBatchInput): Promise<BatchOutcome> {
      const { campaignId, snapshotId, category, policy, dedupe, users } = input;
      const context = Context.current();
      const started = Date.now();
      const lap = (phase: string) => log.debug('restore phase', { campaignId, category, phase, ms: Date.now() - started });
      const userIds = users.map((u) => u.userId);
      const traits = CATEGORY_TRAITS[category];
      // Pages: of users.ndjson, which statuses are tagged with for later waves to rewrite a page
      // at a time; and of this category's staged documents, which the batch reads by.
      const pages = (await c.campaigns.findOne({ _id: campaignId }, { projection: { pageLines: 1 } }))?.pageLines;
      const pageLines = pages?.users;
      const lineOf = new Map(users.map((u) => [u.userId, u.line]));
      const writerOf = (cat: Category) =>
        userStatusWriter(c, campaignId, cat, (userId) => {
          const line = lineOf.get(userId);
          return line === undefined || pageLines === undefined ? undefined : pageKey(campaignId, cat, line, pageLines);
        });
      const status = writerOf(category);
      const now = new Date();
      for (const other of input.initCategories.filter((cat) => cat !== category)) {
        await writerOf(other).initPending(users.map((u) => ({ userId: u.userId, expected: u.expected[other] ?? 0 })), now);
      }
      // The first wave's batches create their users' entries; later waves find them pending.
      const creating = input.initCategories.includes(category);
      // Marked, and the staged and live records read, at once: three waits on the store, not
      // one after another. The mark has landed before the first write, which is what it guards.
      const [, { records, quarantined }, firstLive] = await Promise.all([
        status.markRestoring(users.map((u) => ({ userId: u.userId, expected: u.expected[category] ?? 0, attemptsBefore: u.attemptsBefore })), context.info.attempt, now, creating).then(() => lap('status marked')),
        readStagedOfUsers(c, campaignId, category, users, pages?.[category]).then(async (staged) => {
          lap('staged read');
          const records = await readingSnapshot(input.snapshotDir ?? '', { category }, () => stagedRecords(staged, category, input.snapshotDir));
          lap('staged records read back');
          return { ...staged, records };
        }),
        readLiveDocuments(target, category, userIds).then((live) => (lap('live records read'), live)),
      ]);
      const provenance = { campaignId, snapshotId, restoredAt: now };
      let plans = new Map<string, Map<string, Decision>>();
      /** Per user, the records the live store refused, with why: not written again, the user ends failed. */
      const refused = new Map<string, Map<string, string>>();
      for (let round = 1; ; round++) {
        const live = round === 1 ? firstLive : await readLiveDocuments(target, category, userIds);
        if (round > 1) lap(`round ${round}: live documents read`);
        const writes: LiveWrite[] = [];
        plans = new Map();
        for (const userId of userIds) {
          const userRecords: RecoveredRecord[] = records.get(userId) ?? [];
          const plan = planUser(traits, userRecords, live.get(userId) ?? [], policy, dedupe);
          plans.set(userId, plan);
          for (const record of userRecords) {
            if (refused.get(userId)?.has(record.recordId)) continue;
            const decision = plan.get(record.recordId)!;
            if (decision.action === 'replace') writes.push({ kind: 'replace', userId, record, live: decision.live });
            if (decision.action === 'insert') writes.push({ kind: 'insert', userId, record });
          }
        }
        if (writes.length === 0) break;
        // A dry run counts each write as landed: the recovered version is what the store would then hold.
        if (input.dryRun) {
          for (const w of writes) plans.get(w.userId)!.set(w.record.recordId, { action: 'present' });
          break;
        }
        if (round === MAX_ROUNDS) throw new LiveStoreRaceError(`${writes.length} ${category} writes kept meeting live documents that changed under them`);
        // Blobs first: a restored document then never names a blob the store lacks.
        const blobs = traits.blob ? writes.map((w) => blobDigest(traits.blob!, w.record.data)).filter((d): d is string => d !== undefined) : [];
        if (blobs.length) {
          if (!input.snapshotDir) throw new InputError(`${category} names blobs but the batch was given no snapshot directory`);
          const snapshotDir = input.snapshotDir;
          const key = { key: `${context.info.workflowExecution?.workflowId}/${context.info.activityId}`, attempt: context.info.attempt };
          await readingSnapshot(snapshotDir, { blobs: true }, () => ensureBlobs(target, traits.blob!, snapshotDir, blobs, key));
        }
        await hooks.beforeWrites?.(writes, round, context.info.attempt);
        const applied = await applyLiveWrites(target, category, writes, provenance, () => context.heartbeat({ round }));
        for (const { write, reason } of applied.refused) {
          if (!refused.has(write.userId)) refused.set(write.userId, new Map());
          refused.get(write.userId)!.set(write.record.recordId, reason);
        }
        lap(`round ${round}: ${writes.length} writes applied`);
        // Every write met what it was decided on: its recovered version is now in the live
        // store, and reading again would find just that. Only writes that raced are re-decided.
        if (applied.allLanded) {
          for (const w of writes) plans.get(w.userId)!.set(w.record.recordId, { action: 'present' });
          break;
        }
      }

      const outcomes = users.map(({ userId, expected }) =>
        outcomeOf(userId, expected[category] ?? 0, [...(plans.get(userId)?.values() ?? [])], quarantined.get(userId) ?? 0, refused.get(userId)),
      );
      await status.markDone(outcomes, new Date());
      lap('status written');
      const states = outcomes.map(finalState);
      const partial = states.filter((s) => s === 'partial').length;
      const failed = states.filter((s) => s === 'failed').length;
      log.info('batch restored', { campaignId, category, users: users.length, partial, failed });
      const sum = (field: keyof RecordTally) => outcomes.reduce((n, o) => n + o[field], 0);
      const tally: RecordTally = { restored: sum('restored'), keptLive: sum('keptLive'), duplicates: sum('duplicates'), quarantined: sum('quarantined'), missing: sum('missing') };
      return { restored: users.length - partial - failed, partial, failed, records: tally };
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
      // Users without their lines: read one query each, whatever the pages.
      const staged = await readStagedOfUsers(c, campaignId, category, userIds.map((userId) => ({ userId })), undefined);
      const received = userIds.map((userId) => {
        const counts = { valid: validCount(staged, userId), quarantined: staged.quarantined.get(userId) ?? 0 };
        const expected = input.expected?.[userId];
        return { userId, ...counts, received: counts.valid + counts.quarantined, ...(expected === undefined ? {} : { expected, missing: Math.max(0, expected - counts.valid - counts.quarantined) }) };
      });
      await userStatusWriter(c, campaignId, category).markFailed(received, input.error, new Date());
      log.warn('batch failed', { campaignId: input.campaignId, category: input.category, users: input.userIds.length, error: input.error.class });
      const quarantined = received.reduce((n, r) => n + r.quarantined, 0);
      const missing = received.reduce((n, r) => n + (r.missing ?? 0), 0);
      return { restored: 0, partial: 0, failed: input.userIds.length, records: { restored: 0, keptLive: 0, duplicates: 0, quarantined, missing } };
    },
  };
}
