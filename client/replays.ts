import { resolve } from 'node:path';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ReplayRequest } from '../workflows/contracts';
import type { Env } from '../config/env';
import { InputError, NotFoundError } from '../domain/errors';
import { resumeDelivery } from './delivery';
import { checkSnapshotFiles } from '../snapshot/layout';
import { readManifest } from '../snapshot/manifest';
import type { ControlCollections } from '../store/control/control-collections';
import { whyNotReplay } from '../store/control/replay-check';
import { type ReplayReport, replayWorkflow, replayWorkflowId, searchAttributesOf } from '../workflows';
import { searchAttributesRegistered } from './temporal';
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY } from './campaigns';

export interface ReplayOptions {
  campaignId: string;
  userIds?: string[];
  categories?: ReplayRequest['categories'];
  allFailed?: boolean;
  /** Every user-category the campaign did not finish (pending, restoring, failed). */
  unfinished?: boolean;
  /** A repaired copy of the campaign's snapshot (same snapshotId); absent: the campaign's own. */
  snapshotDir?: string;
  batchSize?: number;
  concurrency?: number;
}

/** Refuses (InputError) a replay that chooses nothing, or chooses two ways at once: checked before anything is asked of the servers. */
export function checkReplayChoice(options: Pick<ReplayOptions, 'userIds' | 'allFailed' | 'unfinished'>): void {
  if (options.allFailed && options.unfinished) throw new InputError('--all-failed and --unfinished choose differently: give one');
  if (!options.userIds?.length && !options.allFailed && !options.unfinished) throw new InputError('say what to replay: --user U (one or more), --all-failed or --unfinished');
}

/**
 * Checks here what makes a replay bad input (exit 2, 400) — no such campaign, one still
 * running, nothing chosen, a snapshot that is not the campaign's — then starts the replay
 * workflow; `result` waits for its report.
 */
export async function startReplay(client: Client, env: Env, c: ControlCollections, options: ReplayOptions): Promise<{ workflowId: string; result: () => Promise<ReplayReport> }> {
  const { campaignId } = options;
  checkReplayChoice(options);
  const campaign = await c.campaigns.findOne({ _id: campaignId });
  if (!campaign) throw new NotFoundError(`no campaign ${campaignId}`);
  const snapshotDir = options.snapshotDir ? resolve(options.snapshotDir) : campaign.snapshotDir;
  const problem = whyNotReplay(campaignId, campaign, snapshotDir, (await readManifest(snapshotDir)).snapshotId);
  if (problem) throw new InputError(problem);
  const categories = options.categories?.filter((cat) => campaign.categories.includes(cat));
  if (options.categories && categories!.length === 0) throw new InputError(`campaign ${campaignId} did not restore ${options.categories.join(', ')}`);
  await checkSnapshotFiles(snapshotDir, categories ?? campaign.categories);

  const request: ReplayRequest = {
    campaignId,
    snapshotDir,
    allFailed: options.allFailed ?? false,
    ...(options.unfinished ? { unfinished: true } : {}),
    ...(options.userIds?.length ? { userIds: options.userIds } : {}),
    ...(categories ? { categories } : {}),
  };
  const searchable = await searchAttributesRegistered(client, env.TEMPORAL_NAMESPACE);
  try {
    const handle = await client.workflow.start(replayWorkflow, {
      taskQueue: env.RESTORE_TASK_QUEUE,
      workflowId: replayWorkflowId(campaignId),
      args: [
        { request, batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE, concurrency: options.concurrency ?? DEFAULT_CONCURRENCY, ...(searchable ? { searchAttributes: true } : {}) },
      ],
      ...(searchable ? { typedSearchAttributes: searchAttributesOf(campaignId) } : {}),
    });
    await resumeDelivery(client, env, campaignId, campaign.notify);
    return { workflowId: handle.workflowId, result: () => handle.result() };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new InputError(`a replay of campaign ${campaignId} is running already; wait for it to end`);
    throw err;
  }
}
