import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { CampaignSettings } from '../workflows/contracts';
import type { Env } from '../config/env';
import { CATEGORIES, type Category, type ConflictPolicy, DEFAULT_POLICY, inWaveOrder } from '../domain/categories';
import { InputError, NotFoundError } from '../domain/errors';
import { checkSnapshotFiles } from '../snapshot/layout';
import { readManifest } from '../snapshot/manifest';
import type { CampaignReport } from '../store/control/campaign-report';
import {
  type CampaignInput,
  type CampaignPace,
  type CampaignProgress,
  campaignWorkflow,
  type PaceChange,
  pauseSignal,
  progressQuery,
  resumeSignal,
  searchAttributesOf,
  setPaceUpdate,
} from '../workflows';
import { failureReport, type QuarantineGroup } from '../store/control/failure-report';
import { writeSelection } from '../store/control/selections';
import { withControl } from './control';
import { checkNotifyUrl, startDelivery } from './delivery';
import { campaignWorkflowId, searchAttributesRegistered } from './temporal';

export interface StartCampaignOptions {
  snapshotDir: string;
  categories?: Category[];
  policy?: ConflictPolicy;
  dedupe?: boolean;
  /** Users per page of users.ndjson; absent: DEFAULT_BATCH_SIZE. */
  batchSize?: number;
  /**
   * Records a batch aims at, a small wave taking several pages per batch (domain/batch-pages.ts);
   * absent: DEFAULT_RECORDS_PER_BATCH without a batch size, and with one, a page per batch (exactly `batchSize` users).
   */
  recordsPerBatch?: number;
  concurrency?: number;
  batchesPerRun?: number;
  campaignId?: string;
  maxRecordsPerSecond?: number;
  canary?: number;
  maxQuarantineRate?: number;
  /** Restore only these users (`--users FILE`); ids not in the snapshot are reported in the campaign's status. */
  userIds?: string[];
  /** Plan only: decide every record and record the outcome, write nothing to the live store. */
  dryRun?: boolean;
  /** POST each of its events to this URL, signed (client/delivery.ts). */
  notifyUrl?: string;
}

/**
 * Users per batch at most: a batch's users travel in its workflow input, and at ~100 bytes
 * each, 1,000 stay far below Temporal's 2 MB payload limit.
 */
export const MAX_BATCH_SIZE = 1000;

/**
 * Users per batch unless told: each batch costs Temporal a child workflow and two
 * activities, which a small wave (one to three records a user) spends more on than on its
 * records. With 20,000 users and all six categories on a 2-core stack, batches of 250 ran
 * at 0.353 of the store's raw insert rate, of 500 at 0.388, of 1,000 at 0.389–0.408, the
 * worker's peak 359, 367 and 394–423 MiB: 500 takes most of the gain at little memory, and
 * keeps a small campaign's waves in enough batches to run four at once.
 */
export const DEFAULT_BATCH_SIZE = 500;

/**
 * Records a batch aims at unless a batch size is given: a wave of a few records a user takes
 * up to four pages of DEFAULT_BATCH_SIZE users per batch (domain/batch-pages.ts), so its
 * batches' fixed cost is spread as a contacts wave's is (some 5,500 records a batch).
 */
export const DEFAULT_RECORDS_PER_BATCH = 3000;

/** Batch workflows at once unless told: what a worker's default slots and the stand-in's connection pool keep busy without queueing. */
export const DEFAULT_CONCURRENCY = 4;

/** Listed user ids per document of a scoped campaign's request. */
const SCOPE_WRITE_CHUNK = 1000;

/** The records a campaign's batches aim at, when they take several pages (StartCampaignOptions.recordsPerBatch). */
function recordsPerBatchOf({ batchSize, recordsPerBatch }: StartCampaignOptions): { recordsPerBatch?: number } {
  const records = recordsPerBatch ?? (batchSize === undefined ? DEFAULT_RECORDS_PER_BATCH : undefined);
  return records === undefined ? {} : { recordsPerBatch: records };
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
 * Starts the campaign workflow; returns the campaign id. The snapshot is the caller's to check
 * first ({@link checkSnapshot}, as operations/commands.ts does): the campaign's first step
 * checks it again, and fails with the cause, when it is not.
 */
export async function startCampaign(client: Client, env: Env, options: StartCampaignOptions): Promise<string> {
  const snapshotDir = resolve(options.snapshotDir);
  const categories = inWaveOrder(options.categories ?? [...CATEGORIES]);
  const campaignId = options.campaignId ?? newCampaignId();
  const settings: CampaignSettings = {
    campaignId,
    snapshotDir,
    categories,
    policies: Object.fromEntries(categories.map((c) => [c, options.policy ?? DEFAULT_POLICY])),
    dedupe: options.dedupe ?? true,
    ...(options.userIds ? { scoped: true } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.notifyUrl ? { notifyUrl: options.notifyUrl } : {}),
  };
  if (options.notifyUrl) checkNotifyUrl(options.notifyUrl, env);
  if (options.dryRun && options.notifyUrl) throw new InputError('--dry-run tells no one anything: drop --notify-url');
  if (options.dryRun && (options.canary !== undefined || options.maxQuarantineRate !== undefined)) {
    throw new InputError('--dry-run plans the whole campaign without pausing: drop --canary and --max-quarantine-rate');
  }
  if (options.canary !== undefined && options.userIds) throw new InputError('--canary and --users do not go together: a campaign scoped to listed users is its own careful start');
  // The list waits in the control database for the campaign to open, under the campaign's id.
  if (options.userIds)
    await withControl(env, (c) =>
      writeSelection(
        c,
        campaignId,
        'requested',
        options.userIds!.map((userId) => ({ userId, expected: {} })),
        SCOPE_WRITE_CHUNK,
      ),
    );
  const input: CampaignInput = {
    settings,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    // A batch size given alone is kept exactly, in every wave.
    ...recordsPerBatchOf(options),
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    batchesPerRun: options.batchesPerRun,
    maxRecordsPerSecond: options.maxRecordsPerSecond,
    canary: options.canary,
    maxQuarantineRate: options.maxQuarantineRate,
  };
  const searchable = await searchAttributesRegistered(client, env.TEMPORAL_NAMESPACE);
  await client.workflow.start(campaignWorkflow, {
    taskQueue: env.RESTORE_TASK_QUEUE,
    workflowId: campaignWorkflowId(campaignId),
    args: [{ ...input, ...(searchable ? { searchAttributes: true } : {}) }],
    ...(searchable ? { typedSearchAttributes: searchAttributesOf(campaignId) } : {}),
  });
  if (options.notifyUrl) await startDelivery(client, env, campaignId, options.notifyUrl);
  return campaignId;
}

/** A campaign's workflow handle and its status (`RUNNING`, `COMPLETED`, …), or null for the status when there is no such workflow. */
async function campaignHandle(client: Client, campaignId: string) {
  const handle = client.workflow.getHandle<typeof campaignWorkflow>(campaignWorkflowId(campaignId));
  try {
    return { handle, status: (await handle.describe()).status.name as string };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { handle, status: null };
    throw err;
  }
}

/** What a running campaign is doing now, from its workflow; null when it is not running (or never was). */
export async function campaignProgress(client: Client, campaignId: string): Promise<CampaignProgress | null> {
  const { handle, status } = await campaignHandle(client, campaignId);
  if (status !== 'RUNNING') return null;
  try {
    return await handle.query(progressQuery);
  } catch (err) {
    // Ended between the two questions: a query of a closed campaign needs a worker to replay it, and none may run.
    if ((await campaignHandle(client, campaignId)).status !== 'RUNNING') return null;
    throw err;
  }
}

/** Polls a running campaign's progress every `intervalMs` until `done` holds of it; returns that progress. */
export async function waitForProgress(client: Client, campaignId: string, done: (progress: CampaignProgress) => boolean, intervalMs = 200): Promise<CampaignProgress> {
  for (;;) {
    const progress = await campaignProgress(client, campaignId);
    if (progress && done(progress)) return progress;
    await new Promise((r) => setTimeout(r, intervalMs));
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

/** A finished campaign's report with its quarantined lines by file and reason: what `--wait`, `--dry-run` and the demo end with. */
export type FinalReport = CampaignReport & { quarantinedByReason: QuarantineGroup[] };

/** Adds the quarantine by reason, from the control store, to a finished campaign's report. */
export async function finalReport(env: Env, report: CampaignReport): Promise<FinalReport> {
  const { quarantined } = await withControl(env, (c) => failureReport(c, report.campaignId));
  return { ...report, quarantinedByReason: quarantined };
}

/** The handle of a campaign's workflow while it runs; an InputError (exit 2) when it is not running. */
async function runningCampaign(client: Client, campaignId: string) {
  const { handle, status } = await campaignHandle(client, campaignId);
  if (status === null) throw new NotFoundError(`no campaign ${campaignId}`);
  if (status !== 'RUNNING') throw new InputError(`campaign ${campaignId} is not running (${status.toLowerCase()})`);
  return handle;
}

/** Pauses a running campaign: its running batches finish, no new one starts. */
export async function pauseCampaign(client: Client, campaignId: string): Promise<void> {
  await (await runningCampaign(client, campaignId)).signal(pauseSignal);
}

/** Resumes a paused campaign, whoever paused it (the operator, its canary, its quarantine limit). */
export async function resumeCampaign(client: Client, campaignId: string): Promise<void> {
  await (await runningCampaign(client, campaignId)).signal(resumeSignal);
}

/**
 * Cancels a running campaign and waits for it to close: its batches end, no user is left
 * `restoring`, and the users it never reached stay `pending`.
 */
export async function cancelCampaign(client: Client, campaignId: string): Promise<void> {
  const handle = await runningCampaign(client, campaignId);
  await handle.cancel();
  // The workflow ends cancelled once it has closed the campaign: its result is that failure.
  await handle.result().catch(() => undefined);
}

/** Changes a running campaign's pace; a change the campaign refuses is an InputError with its reason, and nothing changes. */
export async function setCampaignPace(client: Client, campaignId: string, change: PaceChange): Promise<CampaignPace> {
  const handle = await runningCampaign(client, campaignId);
  try {
    return await handle.executeUpdate(setPaceUpdate, { args: [change] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new InputError(`campaign ${campaignId} refused the change: ${err.cause?.message ?? err.message}`);
    throw err;
  }
}
