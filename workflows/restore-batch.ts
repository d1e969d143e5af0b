import { ActivityCancellationType, ActivityFailure, getExternalWorkflowHandle, isCancellation, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BatchOutcome, RestoreBatchInput } from '../activities/types';
import { failureOf } from './failure-of';
import { BACKOFF } from './retry';
import { storeAnswersSignal, storeUnavailableSignal } from './messages';

/**
 * About half a minute of retries, backing off, before a failure is judged for what it is.
 * A cancelled batch ends only once its activity has: the campaign closes after its batches,
 * and no status is written after the close.
 */
const { restoreUsers } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { ...BACKOFF, maximumAttempts: 6 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** Asks the store until it answers: no limit on attempts, starting 5 s apart (a store restarting takes seconds). */
const { waitForStore } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { ...BACKOFF, initialInterval: '5 seconds' },
});

const { markUsersFailed } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });

/** The failure type activities give a store that does not answer (StoreUnavailableError, domain/errors.ts). */
const STORE_UNAVAILABLE = 'StoreUnavailableError';

/** Batches recorded before this patch marked their users failed when the store stayed away. */
const WAIT_OUT_STORE_OUTAGES = 'wait-out-store-outages';

/**
 * Restores one category for one batch of users (one child per batch, not per user, so
 * a million users make thousands of workflows, not millions). A store that does not
 * answer is waited out, however long: the batch tells its campaign, which starts no new
 * batch meanwhile, asks the store until it answers, then tries again. When retries run
 * out for any other cause, the batch's users are marked `failed` with it, for
 * `restorectl replay`; the batch itself completes so the campaign goes on with the others.
 */
export async function restoreBatchWorkflow(input: RestoreBatchInput): Promise<BatchOutcome> {
  for (;;) {
    try {
      return await restoreUsers(input);
    } catch (err) {
      // A cancelled campaign's batch ends cancelled: its users are not failed.
      if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
      const error = failureOf(err);
      if (error.class === STORE_UNAVAILABLE && patched(WAIT_OUT_STORE_OUTAGES)) {
        await waitOutStore(input.campaignId, error.message);
        continue;
      }
      return await markUsersFailed({
        campaignId: input.campaignId,
        category: input.category,
        userIds: input.users.map((u) => u.userId),
        expected: Object.fromEntries(input.users.map((u) => [u.userId, u.expected[input.category] ?? 0])),
        error,
      });
    }
  }
}

/** Tells the campaign (when there is one) that this batch waits for the store, waits, and tells it the store answers. */
async function waitOutStore(campaignId: string, reason: string): Promise<void> {
  const { workflowId: batchId, parent } = workflowInfo();
  const campaign = parent ? getExternalWorkflowHandle(parent.workflowId) : null;
  await campaign?.signal(storeUnavailableSignal, { batchId, reason });
  await waitForStore({ campaignId });
  await campaign?.signal(storeAnswersSignal, { batchId });
}
