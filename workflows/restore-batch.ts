import {
  ActivityCancellationType,
  ActivityFailure,
  type ActivityOptions,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, BatchOutcome, PagedUser, RestoreBatchInput } from './contracts';
import { failureOf } from './failure-of';
import { addOutcome, noOutcome } from './outcome';
import { BACKOFF, SNAPSHOT_UNAVAILABLE, STORE_UNAVAILABLE } from './retry';
import { snapshotWaitSignal, storeAnswersSignal, storeUnavailableSignal } from './messages';
import { waitOutSnapshot } from './snapshot-wait';

/**
 * About half a minute of retries, backing off, before a failure is judged for what it is.
 * A cancelled batch ends only once its activity has: the campaign closes after its batches,
 * and no status is written after the close.
 */
const restoreOptions: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { ...BACKOFF, maximumAttempts: 6, nonRetryableErrorTypes: [SNAPSHOT_UNAVAILABLE] },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};
const { restoreUsers } = proxyActivities<Activities>(restoreOptions);

/**
 * The same activity for a part of a batch whose retries ran out: the batch's own attempts
 * already waited for a passing cause, so a part is judged after three.
 */
const { restoreUsers: restoreGroup } = proxyActivities<Activities>({ ...restoreOptions, retry: { ...restoreOptions.retry, maximumAttempts: 3 } });

/** Asks the store until it answers: no limit on attempts, starting 5 s apart (a store restarting takes seconds). */
const { waitForStore } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { ...BACKOFF, initialInterval: '5 seconds' },
});

const { markUsersFailed } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });

/**
 * Patch: the failed users' lines go with them to markUsersFailed, which reads their staged
 * lines by page (a campaign's staging packs a page's users into shared documents).
 */
const FAILED_USERS_BY_PAGE = 'failed-users-by-page';

/**
 * Restores one category for one batch of users (one child per batch, not per user, so
 * a million users make thousands of workflows, not millions). A store that does not
 * answer is waited out, however long: the batch tells its campaign, which starts no new
 * batch meanwhile, asks the store until it answers, then tries again; a snapshot that
 * cannot be read as a whole is waited out the same way. When retries run
 * out for any other cause, the batch is split in halves, each tried again, down to the
 * single users whose data the failure follows: only they are marked `failed` with it,
 * for `restorectl replay`, and the batch completes so the campaign goes on.
 */
export async function restoreBatchWorkflow(input: RestoreBatchInput): Promise<BatchOutcome> {
  return restoreOrNarrow(input, input.users, restoreUsers);
}

/** Restores `users` of the batch; on a failure that retries did not cure, narrows it down to the users it belongs to. */
async function restoreOrNarrow(input: RestoreBatchInput, users: PagedUser[], restore: typeof restoreUsers): Promise<BatchOutcome> {
  for (;;) {
    try {
      return await restore({ ...input, users });
    } catch (err) {
      // A cancelled campaign's batch ends cancelled: its users are not failed.
      if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
      const error = failureOf(err);
      if (error.class === STORE_UNAVAILABLE) {
        await waitOutStore(input.campaignId, error.message);
        continue;
      }
      if (error.class === SNAPSHOT_UNAVAILABLE && input.snapshotDir) {
        await waitOutSnapshot(input.campaignId, input.snapshotDir, error.message, tellCampaign);
        continue;
      }
      if (users.length > 1) {
        const half = Math.ceil(users.length / 2);
        const parts = await Promise.all([restoreOrNarrow(input, users.slice(0, half), restoreGroup), restoreOrNarrow(input, users.slice(half), restoreGroup)]);
        return sumOutcomes(parts);
      }
      return await markUsersFailed({
        campaignId: input.campaignId,
        category: input.category,
        userIds: users.map((u) => u.userId),
        expected: Object.fromEntries(users.map((u) => [u.userId, u.expected[input.category] ?? 0])),
        ...(patched(FAILED_USERS_BY_PAGE) ? { lines: Object.fromEntries(users.flatMap((u) => (u.line === undefined ? [] : [[u.userId, u.line]]))) } : {}),
        error,
      });
    }
  }
}

/** The outcome of a batch from those of its parts. */
function sumOutcomes(parts: BatchOutcome[]): BatchOutcome {
  const total = noOutcome();
  for (const part of parts) addOutcome(total, part);
  return total;
}

/** Tells the campaign (when there is one) why this batch waits for the snapshot, or, with null, that it reads again. */
async function tellCampaign(reason: string | null): Promise<void> {
  const { workflowId: stepId, parent } = workflowInfo();
  if (parent) await getExternalWorkflowHandle(parent.workflowId).signal(snapshotWaitSignal, { stepId, reason });
}

/** Tells the campaign (when there is one) that this batch waits for the store, waits, and tells it the store answers. */
async function waitOutStore(campaignId: string, reason: string): Promise<void> {
  const { workflowId: batchId, parent } = workflowInfo();
  const campaign = parent ? getExternalWorkflowHandle(parent.workflowId) : null;
  await campaign?.signal(storeUnavailableSignal, { batchId, reason });
  await waitForStore({ campaignId });
  await campaign?.signal(storeAnswersSignal, { batchId });
}
