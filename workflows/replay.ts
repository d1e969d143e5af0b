import { CancellationScope, condition, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities, BatchOutcome, ReplayRequest } from './contracts';
import type { Category } from '../domain/categories';
import { addOutcome, noOutcome } from './outcome';
import { runBatchChild } from './batch-child';
import { CONTROL_ACTIVITY, STAGING_ACTIVITY } from './retry';
import { untilSnapshotReads } from './snapshot-wait';

const { planReplay, readSelectionBatch, dropSelection } = proxyActivities<Activities>(CONTROL_ACTIVITY);
const { stageCategory } = proxyActivities<Activities>(STAGING_ACTIVITY);

/** A campaign's replay workflow id: one replay of a campaign runs at a time. Its batches' ids extend it. */
export function replayWorkflowId(campaignId: string): string {
  return `replay-${campaignId}`;
}

export interface ReplayInput {
  request: ReplayRequest;
  /** Users per batch child workflow. */
  batchSize: number;
  /** Batch child workflows at once. */
  concurrency: number;
  /** Give batch workflows the campaign's search attributes (workflows/search-attributes.ts): set when they are registered. */
  searchAttributes?: boolean;
}

/** How a replay ended: per category re-run, its users by state and their records by fate. */
export interface ReplayReport {
  campaignId: string;
  snapshotDir: string;
  categories: { category: Category; users: number; outcome: BatchOutcome }[];
  /** Selected users that the snapshot read has no line for, left as they were. */
  notInSnapshot: string[];
}

type ReplayPlan = Awaited<ReturnType<typeof planReplay>>;

/** One category of a replay: its users' lines staged afresh, then restored in batch children, `concurrency` at a time. */
async function replayWave(input: ReplayInput, plan: ReplayPlan, wave: ReplayPlan['waves'][number]): Promise<BatchOutcome> {
  const { request } = input;
  const { category } = wave;
  const stage = () =>
    stageCategory({
      campaignId: request.campaignId,
      snapshotDir: request.snapshotDir,
      category,
      pageLines: wave.pageLines,
      selection: { id: plan.selectionId, part: category, afresh: true },
    });
  await untilSnapshotReads(stage, request.campaignId, request.snapshotDir, () => undefined);
  const outcome = noOutcome();
  const running = new Set<Promise<void>>();
  for (let chunk = 0; chunk < wave.chunks; chunk++) {
    await condition(() => running.size < input.concurrency);
    const users = await readSelectionBatch({ selectionId: plan.selectionId, part: category, chunk });
    const batch = runBatchChild(`${replayWorkflowId(request.campaignId)}-${category}-${chunk}`, input.searchAttributes, {
      campaignId: request.campaignId,
      snapshotId: plan.snapshotId,
      snapshotDir: request.snapshotDir,
      category,
      policy: wave.policy,
      dedupe: plan.dedupe,
      users,
      initCategories: [],
    }).then((ended) => addOutcome(outcome, ended));
    const tracked = batch.finally(() => running.delete(tracked));
    running.add(tracked);
  }
  await Promise.all(running);
  return outcome;
}

/**
 * Re-runs validation and restore for chosen user-categories of an ended campaign
 * (`restorectl replay`): plans them into a selection, then per category in wave order
 * stages those users' lines afresh from the snapshot given (a repaired copy, perhaps)
 * and restores them in batch child workflows, `concurrency` at a time. Every step is the
 * campaign's own, so a replay is as idempotent as the campaign: what is already in the
 * live store is counted, never written twice.
 */
export async function replayWorkflow(input: ReplayInput): Promise<ReplayReport> {
  const { request } = input;
  const { runId } = workflowInfo();
  const plan = await planReplay({ ...request, selectionId: runId, chunkUsers: input.batchSize });
  const report: ReplayReport = { campaignId: request.campaignId, snapshotDir: request.snapshotDir, categories: [], notInSnapshot: plan.notInSnapshot };
  try {
    for (const wave of plan.waves) {
      const outcome = await replayWave(input, plan, wave);
      report.categories.push({ category: wave.category, users: wave.users, outcome });
    }
  } finally {
    await CancellationScope.nonCancellable(() => dropSelection({ selectionId: plan.selectionId }));
  }
  return report;
}
