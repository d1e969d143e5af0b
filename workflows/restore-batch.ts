import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BatchOutcome, RestoreBatchInput } from '../activities/types';
import { failureOf } from './failure-of';

/**
 * A store that stops answering is waited out: retries back off to one a minute for about
 * twenty minutes before the batch's users are marked failed. Failures that retrying
 * cannot mend (non-retryable, typed) end at once.
 */
const { restoreUsers } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 25 },
});

const { markUsersFailed } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });

/**
 * Restores one category for one batch of users (one child per batch, not per user, so
 * a million users make thousands of workflows, not millions). When retries run out,
 * the batch's users are marked `failed` with the cause, for `restorectl replay`; the
 * batch itself completes so the campaign goes on with the others.
 */
export async function restoreBatchWorkflow(input: RestoreBatchInput): Promise<BatchOutcome> {
  try {
    return await restoreUsers(input);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    return await markUsersFailed({
      campaignId: input.campaignId,
      category: input.category,
      userIds: input.users.map((u) => u.userId),
      expected: Object.fromEntries(input.users.map((u) => [u.userId, u.expected[input.category] ?? 0])),
      error: failureOf(err),
    });
  }
}
