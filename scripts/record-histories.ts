/**
 * Records the event histories that test/replay.test.ts replays, by running a small
 * campaign on the stack in the environment (`restorectl stack up` first). Run it when a
 * workflow change is meant to be visible to new workflows only: keep the old fixtures,
 * add new ones next to them, and guard the change with `patched()`.
 *
 *   npm run record-histories -- [name] [--only delivery|undo]
 *
 * `--only` records one of the workflows added after the others, alone.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ScratchCampaigns, withScratchCampaigns } from '../harness/scratch-campaigns';
import { cancelCampaign, resumeCampaign, setCampaignPace, startCampaign, waitForCampaign, waitForProgress } from '../client/campaigns';
import { startReplay } from '../client/replays';
import { campaignWorkflowId } from '../client/temporal';
import { jcsSha256, sha256Hex } from '../domain/digest';
import { connectStores } from '../store/mongo/connection';
import { controlCollections, controlIds } from '../store/control/control-collections';
import { deliveryWorkflow, deliveryWorkflowId, replayWorkflowId, restoreBatchWorkflow, undoWorkflowId } from '../workflows';
import { startUndo } from '../client/undo';
import { generateSnapshot } from '../snapshot/generate';
import { projectRoot } from '../stack/layout';
import { type StagedLine, textHash } from '../snapshot/read-back';

type RecordHistory = (file: string, workflowId: string, runId?: string) => Promise<void>;

/** A campaign that delivers its events to a local receiver taking every one, and the delivery's history. */
async function recordDelivery({ env, client, runCampaign, runWorkerUntil }: ScratchCampaigns, snapshotDir: string, name: string, record: RecordHistory): Promise<void> {
  const server = createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const notifyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
    const { campaignId } = await runCampaign({ snapshotDir, categories: ['contacts'], batchSize: 6, notifyUrl });
    // Started again with a short idle time, so that it ends soon after delivering all.
    await client.workflow.getHandle(deliveryWorkflowId(campaignId)).terminate('recorded again with a short idle time');
    await runWorkerUntil(() =>
      client.workflow.execute(deliveryWorkflow, {
        taskQueue: env.RESTORE_TASK_QUEUE,
        workflowId: deliveryWorkflowId(campaignId),
        args: [{ campaignId, url: notifyUrl, idleSeconds: 10 }],
      }),
    );
    await record(`delivery-${name}.json`, deliveryWorkflowId(campaignId));
  } finally {
    server.close();
  }
}

/** A small campaign taken back by an undo, and the undo's history. */
async function recordUndo({ runCampaign, runWorkerUntil, client, env, stores }: ScratchCampaigns, snapshotDir: string, name: string, record: RecordHistory): Promise<void> {
  const { campaignId } = await runCampaign({ snapshotDir, categories: ['contacts', 'notes'], batchSize: 6 });
  const undo = await startUndo(client, env, controlCollections(stores.control), { campaignId });
  await runWorkerUntil(() => undo.result());
  await record(`undo-${name}.json`, undoWorkflowId(campaignId));
}

/** The histories of workflows added after the others, each recordable alone (`--only`). */
const LATER: Partial<Record<string, typeof recordUndo>> = { delivery: recordDelivery, undo: recordUndo };

async function main() {
  const name = process.argv[2] ?? 'v1';
  const snapshotDir = join(await mkdtemp(join(tmpdir(), 'record-')), 'snapshot');
  await generateSnapshot(snapshotDir, { users: 12, seed: 'record', corruptRate: 0.2 });
  // The workers sign deliveries with it; the receiver here does not check.
  process.env.RESTORE_WEBHOOK_SECRET ??= 'recording histories, not a secret';
  await withScratchCampaigns('record', async (scratch) => {
    const { env, client, runCampaign, runWorkerUntil } = scratch;
    const fixtures = join(projectRoot, 'test', 'fixtures', 'histories');
    const record: RecordHistory = async (file, workflowId, runId) => {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      await writeFile(join(fixtures, file), `${historyToJSON(history)}\n`);
      process.stdout.write(`recorded ${file}\n`);
    };
    const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
    if (only !== undefined) {
      const recordOnly = LATER[only];
      if (!recordOnly) throw new Error(`--only takes ${Object.keys(LATER).join(' or ')}, not ${only}`);
      return recordOnly(scratch, snapshotDir, name, record);
    }
    // Small batches and runs, so the histories hold child workflows in a window and a
    // continue-as-new; notes, a few records a user, take several pages a batch.
    const { campaignId } = await runCampaign({ snapshotDir, categories: ['contacts', 'notes'], batchSize: 3, recordsPerBatch: 30, concurrency: 2, batchesPerRun: 2 });
    const runs: string[] = [];
    for await (const execution of client.workflow.list({ query: `WorkflowId = '${campaignWorkflowId(campaignId)}'` })) runs.push(execution.runId);
    // Oldest run first: each run but the last ends in continue-as-new.
    runs.reverse();
    for (const [i, runId] of runs.entries()) await record(`campaign-${name}-run${i + 1}.json`, campaignWorkflowId(campaignId), runId);
    await record(`restore-batch-${name}.json`, `${campaignId}-contacts-0`);

    // The failure paths. A campaign whose manifest.json is damaged after the start checked it
    // (the data is wrong, not the storage: nothing to wait out): it fails while opening, and
    // closes with the cause.
    const brokenDir = join(await mkdtemp(join(tmpdir(), 'record-')), 'snapshot');
    await generateSnapshot(brokenDir, { users: 2, seed: 'record', corruptRate: 0 });
    const brokenId = await startCampaign(client, env, { snapshotDir: brokenDir, categories: ['contacts'] });
    await writeFile(join(brokenDir, 'manifest.json'), '{');
    await runWorkerUntil(() => waitForCampaign(client, brokenId).catch(() => undefined));
    await record(`campaign-failed-${name}.json`, campaignWorkflowId(brokenId));

    // The operator's controls: a canary that pauses the campaign, a change of pace, a resume.
    const controlsId = await startCampaign(client, env, { snapshotDir, categories: ['contacts', 'notes'], batchSize: 3, concurrency: 2, canary: 4, maxRecordsPerSecond: 1000 });
    await runWorkerUntil(async () => {
      await waitForProgress(client, controlsId, (p) => p.paused);
      await setCampaignPace(client, controlsId, { concurrency: 3, maxRecordsPerSecond: null });
      await resumeCampaign(client, controlsId);
      await waitForCampaign(client, controlsId);
    });
    await record(`campaign-controls-${name}.json`, campaignWorkflowId(controlsId));

    // A campaign cancelled while a slow pace holds its first wave.
    const cancelledId = await startCampaign(client, env, { snapshotDir, categories: ['contacts', 'notes'], batchSize: 2, concurrency: 1, maxRecordsPerSecond: 2 });
    await runWorkerUntil(async () => {
      await waitForProgress(client, cancelledId, (p) => p.outcome.restored + p.outcome.partial >= 2);
      await cancelCampaign(client, cancelledId);
    });
    await record(`campaign-cancelled-${name}.json`, campaignWorkflowId(cancelledId));

    // A plan, and a campaign scoped to listed users (one of them not in the snapshot).
    const dryRunId = await startCampaign(client, env, { snapshotDir, categories: ['contacts', 'notes'], batchSize: 3, concurrency: 2, dryRun: true });
    await runWorkerUntil(() => waitForCampaign(client, dryRunId));
    await record(`campaign-dry-run-${name}.json`, campaignWorkflowId(dryRunId));
    const scopedId = await startCampaign(client, env, {
      snapshotDir,
      categories: ['contacts', 'notes'],
      batchSize: 2,
      userIds: ['u-0000002', 'u-0000005', 'u-0000007', 'u-unknown'],
    });
    await runWorkerUntil(() => waitForCampaign(client, scopedId));
    await record(`campaign-scoped-${name}.json`, campaignWorkflowId(scopedId));

    const stores = await connectStores(env);
    try {
      const c = controlCollections(stores.control);
      // A replay of the first campaign's users that are not restored.
      const open = await c.status.find({ campaignId, state: { $ne: 'restored' } }, { projection: { userId: 1 } }).toArray();
      await runWorkerUntil(async () => (await startReplay(client, env, c, { campaignId, userIds: [...new Set(open.map((s) => s.userId))], batchSize: 2 })).result());
      await record(`replay-${name}.json`, replayWorkflowId(campaignId));

      // A batch whose photo's blob is gone after staging: retrying cannot help. The batch is
      // narrowed down to u-1, the one user it belongs to; u-2 ends as it would have.
      const batchCampaign = `record-batch-${Date.now().toString(36)}`;
      const data = { filename: 'gone.png', mimeType: 'image/png', bytes: 4, sha256: sha256Hex('gone') };
      const line = JSON.stringify({ userId: 'u-1', recordId: 'p-1', updatedAt: '2009-09-30T18:02:11Z', data, sha256: jcsSha256(data) });
      await writeFile(join(brokenDir, 'photos.ndjson'), `${line}\n`);
      const place: StagedLine = [1, 0, Buffer.byteLength(line) + 1, textHash(line)];
      await c.staged.insertOne({
        _id: controlIds.stagedLines(batchCampaign, 'photos', 'u-1'),
        campaignId: batchCampaign,
        category: 'photos',
        userId: 'u-1',
        linesJson: JSON.stringify([place]),
      });
      const batchId = `${batchCampaign}-photos-0`;
      await runWorkerUntil(() =>
        client.workflow.execute(restoreBatchWorkflow, {
          taskQueue: env.RESTORE_TASK_QUEUE,
          workflowId: batchId,
          args: [
            {
              campaignId: batchCampaign,
              snapshotId: 'record',
              snapshotDir: brokenDir,
              category: 'photos',
              policy: 'keep-newer',
              dedupe: true,
              users: [
                { userId: 'u-1', expected: { photos: 1 } },
                { userId: 'u-2', expected: { photos: 0 } },
              ],
              initCategories: ['photos'],
            },
          ],
        }),
      );
      await record(`restore-batch-failed-${name}.json`, batchId);
    } finally {
      await stores.client.close();
    }
    for (const recordLater of Object.values(LATER)) await recordLater!(scratch, snapshotDir, name, record);
  });
}

main().catch((err) => {
  process.stderr.write(`record-histories: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
