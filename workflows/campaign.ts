import {
  allHandlersFinished,
  CancellationScope,
  condition,
  ContinueAsNew,
  continueAsNew,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BatchOutcome, CampaignSettings } from '../activities/types';
import type { CampaignReport } from '../store/campaign-report';
import type { LinePosition } from '../snapshot/line-reader';
import { failureOf } from './failure-of';
import { type CampaignProgress, pauseSignal, progressQuery, resumeSignal, storeAnswersSignal, storeUnavailableSignal } from './messages';
import { restoreBatchWorkflow } from './restore-batch';

const { openCampaign, listUserPage, closeCampaign } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

const { stageCategory } = proxyActivities<Activities>({
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

const CONTINUE_AS_NEW_IS_NOT_AN_END = 'continue-as-new-is-not-an-end';
const CLOSE_WITH_CAUSE_EVEN_UNOPENED = 'close-with-cause-even-unopened';

/** Batches started per run before the campaign continues as new, keeping its history bounded. */
const DEFAULT_BATCHES_PER_RUN = 200;

export interface CampaignInput {
  settings: CampaignSettings;
  /** Users per child workflow. */
  batchSize: number;
  /** Child workflows running at once. */
  concurrency: number;
  /** Batches per run before continue-as-new; default {@link DEFAULT_BATCHES_PER_RUN}. */
  batchesPerRun?: number;
}

/** Where a campaign stands; carried across continue-as-new. */
export interface CampaignCursor {
  snapshotId: string;
  users: number;
  /** Index into settings.categories of the wave under way. */
  wave: number;
  staged: boolean;
  /** Position in users.ndjson of the next page of the current wave. */
  next: LinePosition;
  pagesDone: boolean;
  /** Batches started in the current wave, across runs: numbers the child workflow ids. */
  batches: number;
  /** Users finished per outcome, summed over waves (a user counts once per category). */
  outcome: BatchOutcome;
  paused: boolean;
}

/**
 * A restore campaign: one wave per category in priority order; in each wave, the
 * category file is staged once, then users are paged from users.ndjson into batch
 * child workflows, `concurrency` at a time. Pausing stops new batches; running ones
 * finish. A batch that finds the store unreachable waits for it, and says so: the
 * campaign then starts no new batch until the store answers, and goes on by itself. The history stays bounded: after `batchesPerRun` batches the
 * campaign drains its window and continues as new with its cursor.
 */
export async function campaignWorkflow(input: CampaignInput, carried?: CampaignCursor): Promise<CampaignReport> {
  const { settings } = input;
  const cursor: CampaignCursor = carried ?? {
    snapshotId: '',
    users: 0,
    wave: 0,
    staged: false,
    next: { byte: 0, line: 0 },
    pagesDone: false,
    batches: 0,
    outcome: { restored: 0, partial: 0, failed: 0 },
    paused: false,
  };
  let phase: CampaignProgress['phase'] = carried ? 'restoring' : 'opening';
  const running = new Set<Promise<void>>();
  /** Batches waiting for the store to answer, with why: while any waits, no new batch starts. Empty at continue-as-new, which drains the batches. */
  const waitingForStore = new Map<string, string>();
  const pausedReason = (): string | null => {
    if (cursor.paused) return 'paused by the operator';
    if (waitingForStore.size === 0) return null;
    return `the store does not answer (${waitingForStore.size} batch(es) waiting for it): ${[...waitingForStore.values()][0]}`;
  };

  setHandler(pauseSignal, () => void (cursor.paused = true));
  setHandler(resumeSignal, () => void (cursor.paused = false));
  setHandler(storeUnavailableSignal, ({ batchId, reason }) => void waitingForStore.set(batchId, reason));
  setHandler(storeAnswersSignal, ({ batchId }) => void waitingForStore.delete(batchId));
  setHandler(progressQuery, () => ({
    campaignId: settings.campaignId,
    phase,
    paused: pausedReason() !== null,
    pausedReason: pausedReason(),
    category: settings.categories[cursor.wave] ?? null,
    wave: cursor.wave,
    waves: settings.categories.length,
    users: cursor.users,
    batchesRunning: running.size,
    outcome: cursor.outcome,
  }));

  try {
    if (!carried) Object.assign(cursor, await openCampaign(settings));
    let startedThisRun = 0;
    for (; cursor.wave < settings.categories.length; cursor.wave++) {
      const category = settings.categories[cursor.wave];
      if (!cursor.staged) {
        phase = 'staging';
        await stageCategory({ campaignId: settings.campaignId, snapshotDir: settings.snapshotDir, category, pageLines: input.batchSize });
        cursor.staged = true;
      }
      phase = 'restoring';
      while (!cursor.pagesDone) {
        await condition(() => pausedReason() === null && running.size < input.concurrency);
        const page = await listUserPage({ campaignId: settings.campaignId, snapshotDir: settings.snapshotDir, from: cursor.next, limit: input.batchSize, categories: settings.categories });
        cursor.next = page.next;
        cursor.pagesDone = page.done;
        if (page.users.length > 0) {
          const batch = executeChild(restoreBatchWorkflow, {
            workflowId: `${settings.campaignId}-${category}-${cursor.batches}`,
            args: [
              {
                campaignId: settings.campaignId,
                snapshotId: cursor.snapshotId,
                snapshotDir: settings.snapshotDir,
                category,
                policy: settings.policies[category],
                dedupe: settings.dedupe,
                users: page.users,
                initCategories: cursor.wave === 0 ? settings.categories : [],
              },
            ],
          }).then((outcome) => {
            cursor.outcome.restored += outcome.restored;
            cursor.outcome.partial += outcome.partial;
            cursor.outcome.failed += outcome.failed;
          });
          cursor.batches += 1;
          startedThisRun += 1;
          const tracked = batch.finally(() => running.delete(tracked));
          running.add(tracked);
        }
        if (!cursor.pagesDone && (startedThisRun >= (input.batchesPerRun ?? DEFAULT_BATCHES_PER_RUN) || workflowInfo().continueAsNewSuggested)) {
          await Promise.all(running);
          await condition(allHandlersFinished);
          return await continueAsNew<typeof campaignWorkflow>(input, cursor);
        }
      }
      await Promise.all(running);
      Object.assign(cursor, { staged: false, next: { byte: 0, line: 0 }, pagesDone: false, batches: 0 });
    }
    phase = 'closing';
    const report = await closeCampaign({ campaignId: settings.campaignId, state: 'completed' });
    phase = 'done';
    return report;
  } catch (err) {
    // Continuing as new is not an end. Runs recorded before this patch closed the campaign
    // as failed here first (the next run closed it again); they replay as they ran.
    if (err instanceof ContinueAsNew && patched(CONTINUE_AS_NEW_IS_NOT_AN_END)) throw err;
    // Runs recorded before this patch closed only a campaign that had been opened. Now the
    // campaign's record is written first thing, so one that failed while opening is closed
    // too, and the cause reaches its status.
    if (cursor.snapshotId || patched(CLOSE_WITH_CAUSE_EVEN_UNOPENED)) {
      const state = isCancellation(err) ? 'cancelled' : 'failed';
      const error = state === 'failed' ? failureOf(err) : null;
      await CancellationScope.nonCancellable(() => closeCampaign({ campaignId: settings.campaignId, state, error }));
    }
    throw err;
  }
}
