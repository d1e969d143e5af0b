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
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CampaignSettings } from '../activities/types';
import type { CampaignReport } from '../store/campaign-report';
import { type CampaignCursor, CampaignState, firstCursor } from './campaign-state';
import { failureOf } from './failure-of';
import { restoreBatchWorkflow } from './restore-batch';
import { BACKOFF } from './retry';

const { openCampaign, listUserPage, closeCampaign } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { ...BACKOFF, maximumAttempts: 10 },
});

const { stageCategory } = proxyActivities<Activities>({
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '2 minutes',
  retry: { ...BACKOFF, maximumAttempts: 10 },
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

/**
 * A restore campaign: one wave per category in priority order; in each wave, the
 * category file is staged once, then users are paged from users.ndjson into batch
 * child workflows, `concurrency` at a time. Pausing stops new batches; running ones
 * finish. A batch that finds the store unreachable waits for it, and says so: the
 * campaign then starts no new batch until the store answers, and goes on by itself. The
 * history stays bounded: after `batchesPerRun` batches the campaign drains its window
 * and continues as new with its cursor.
 */
export async function campaignWorkflow(input: CampaignInput, carried?: CampaignCursor): Promise<CampaignReport> {
  const { settings } = input;
  const state = new CampaignState(settings, carried ?? firstCursor(), carried !== undefined);
  const { cursor } = state;
  state.handleMessages();

  try {
    if (!carried) Object.assign(cursor, await openCampaign(settings));
    let startedThisRun = 0;
    for (; cursor.wave < settings.categories.length; state.nextWave()) {
      const category = settings.categories[cursor.wave];
      if (!cursor.staged) {
        state.phase = 'staging';
        await stageCategory({ campaignId: settings.campaignId, snapshotDir: settings.snapshotDir, category, pageLines: input.batchSize });
        cursor.staged = true;
      }
      state.phase = 'restoring';
      while (!cursor.pagesDone) {
        await condition(() => state.mayStartBatch(input.concurrency));
        const page = await listUserPage({ campaignId: settings.campaignId, snapshotDir: settings.snapshotDir, from: cursor.next, limit: input.batchSize, categories: settings.categories });
        cursor.next = page.next;
        cursor.pagesDone = page.done;
        if (page.users.length > 0) {
          state.track(
            executeChild(restoreBatchWorkflow, {
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
            }),
          );
          startedThisRun += 1;
        }
        if (!cursor.pagesDone && (startedThisRun >= (input.batchesPerRun ?? DEFAULT_BATCHES_PER_RUN) || workflowInfo().continueAsNewSuggested)) {
          await Promise.all(state.running);
          await condition(allHandlersFinished);
          return await continueAsNew<typeof campaignWorkflow>(input, cursor);
        }
      }
      await Promise.all(state.running);
    }
    state.phase = 'closing';
    const report = await closeCampaign({ campaignId: settings.campaignId, state: 'completed' });
    state.phase = 'done';
    return report;
  } catch (err) {
    // Continuing as new is not an end. Runs recorded before this patch closed the campaign
    // as failed here first (the next run closed it again); they replay as they ran.
    if (err instanceof ContinueAsNew && patched(CONTINUE_AS_NEW_IS_NOT_AN_END)) throw err;
    // Runs recorded before this patch closed only a campaign that had been opened. Now the
    // campaign's record is written first thing, so one that failed while opening is closed
    // too, and the cause reaches its status.
    if (cursor.snapshotId || patched(CLOSE_WITH_CAUSE_EVEN_UNOPENED)) {
      const ending = isCancellation(err) ? 'cancelled' : 'failed';
      const error = ending === 'failed' ? failureOf(err) : null;
      await CancellationScope.nonCancellable(() => closeCampaign({ campaignId: settings.campaignId, state: ending, error }));
    }
    throw err;
  }
}
