import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { CampaignSettings } from '../activities/types';
import type { Env } from '../config/env';
import { CATEGORIES, type Category, type ConflictPolicy, DEFAULT_POLICY, inWaveOrder } from '../domain/categories';
import { checkSnapshotFiles } from '../snapshot/layout';
import { readManifest } from '../snapshot/manifest';
import type { CampaignReport } from '../store/campaign-report';
import { type CampaignInput, type CampaignProgress, campaignWorkflow, progressQuery } from '../workflows';
import { campaignWorkflowId } from './temporal';

export interface StartCampaignOptions {
  snapshotDir: string;
  categories?: Category[];
  policy?: ConflictPolicy;
  dedupe?: boolean;
  batchSize?: number;
  concurrency?: number;
  batchesPerRun?: number;
  campaignId?: string;
}

/** A campaign id: sortable by start time, unique, and free of any user data. */
export function newCampaignId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `c-${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * Checks what a campaign of `categories` will read of the snapshot: its manifest and
 * files (see checkSnapshotFiles). Throws an InputError naming the first problem.
 */
export async function checkSnapshot(snapshotDir: string, categories: readonly Category[]): Promise<void> {
  await readManifest(snapshotDir);
  await checkSnapshotFiles(snapshotDir, categories);
}

/**
 * Checks the snapshot's manifest and files here, so bad input fails at once with exit 2, then
 * starts the campaign workflow. Returns the campaign id.
 */
export async function startCampaign(client: Client, env: Env, options: StartCampaignOptions): Promise<string> {
  const snapshotDir = resolve(options.snapshotDir);
  const categories = inWaveOrder(options.categories ?? [...CATEGORIES]);
  await checkSnapshot(snapshotDir, categories);
  const campaignId = options.campaignId ?? newCampaignId();
  const settings: CampaignSettings = {
    campaignId,
    snapshotDir,
    categories,
    policies: Object.fromEntries(categories.map((c) => [c, options.policy ?? DEFAULT_POLICY])),
    dedupe: options.dedupe ?? true,
  };
  const input: CampaignInput = { settings, batchSize: options.batchSize ?? 100, concurrency: options.concurrency ?? 4, batchesPerRun: options.batchesPerRun };
  await client.workflow.start(campaignWorkflow, {
    taskQueue: env.RESTORE_TASK_QUEUE,
    workflowId: campaignWorkflowId(campaignId),
    args: [input],
  });
  return campaignId;
}

/** What a running campaign is doing now, from its workflow; null when it is not running (or never was). */
export async function campaignProgress(client: Client, campaignId: string): Promise<CampaignProgress | null> {
  const handle = client.workflow.getHandle<typeof campaignWorkflow>(campaignWorkflowId(campaignId));
  try {
    if ((await handle.describe()).status.name !== 'RUNNING') return null;
    return await handle.query(progressQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/** Waits for a campaign to finish, calling `onProgress` every `intervalMs` while it runs. */
export async function waitForCampaign(
  client: Client,
  campaignId: string,
  onProgress: (progress: CampaignProgress) => void = () => undefined,
  intervalMs = 1000,
): Promise<CampaignReport> {
  const handle = client.workflow.getHandle<typeof campaignWorkflow>(campaignWorkflowId(campaignId));
  let finished = false;
  const result = handle.result().finally(() => (finished = true));
  const poll = (async () => {
    while (!finished) {
      try {
        onProgress(await handle.query(progressQuery));
      } catch {
        // A query can fall between continue-as-new runs; the next one answers.
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  const report = await result;
  await poll;
  return report;
}
