/**
 * Records the event histories that test/replay.test.ts replays, by running a small
 * campaign on the stack in the environment (`restorectl stack up` first). Run it when a
 * workflow change is meant to be visible to new workflows only: keep the old fixtures,
 * add new ones next to them, and guard the change with `patched()`.
 *
 *   npm run build && node dist/scripts/record-histories.js [name]
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { startCampaign, waitForCampaign } from '../client/campaigns';
import { campaignWorkflowId, connectTemporal } from '../client/temporal';
import { loadEnv } from '../config/env';
import { projectRoot } from '../stack/layout';
import { generateSnapshot } from '../snapshot/generate';
import { connectStores } from '../store/connection';
import { installRuntimeLogging } from '../worker/runtime-logging';
import { createRestoreWorker } from '../worker/worker';

async function main() {
  const name = process.argv[2] ?? 'v1';
  const stamp = Date.now().toString(36);
  const env = loadEnv({ ...process.env, RESTORE_TARGET_DB: `record_app_${stamp}`, RESTORE_CONTROL_DB: `record_restore_${stamp}`, RESTORE_TASK_QUEUE: `record-${stamp}` });
  installRuntimeLogging('warn');
  const snapshotDir = join(await mkdtemp(join(tmpdir(), 'record-')), 'snapshot');
  await generateSnapshot(snapshotDir, { users: 12, seed: 'record', corruptRate: 0.2 });
  const client = await connectTemporal(env);
  const { worker, close } = await createRestoreWorker(env);
  try {
    // Small batches and runs, so the histories hold child workflows in a window and a continue-as-new.
    const campaignId = await worker.runUntil(async () => {
      const id = await startCampaign(client, env, { snapshotDir, categories: ['contacts', 'notes'], batchSize: 3, concurrency: 2, batchesPerRun: 2 });
      await waitForCampaign(client, id, undefined, 200);
      return id;
    });
    const fixtures = join(projectRoot, 'test', 'fixtures', 'histories');
    const runs: string[] = [];
    for await (const execution of client.workflow.list({ query: `WorkflowId = '${campaignWorkflowId(campaignId)}'` })) runs.push(execution.runId);
    // Oldest run first: each run but the last ends in continue-as-new.
    runs.reverse();
    const record = async (file: string, workflowId: string, runId?: string) => {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      await writeFile(join(fixtures, file), `${historyToJSON(history)}\n`);
      process.stdout.write(`recorded ${file}\n`);
    };
    for (const [i, runId] of runs.entries()) await record(`campaign-${name}-run${i + 1}.json`, campaignWorkflowId(campaignId), runId);
    await record(`restore-batch-${name}.json`, `${campaignId}-contacts-0`);
  } finally {
    await close();
    await client.connection.close();
    const stores = await connectStores(env);
    await stores.target.dropDatabase();
    await stores.control.dropDatabase();
    await stores.client.close();
  }
}

main().catch((err) => {
  process.stderr.write(`record-histories: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
