/**
 * Records the event histories that test/replay.test.ts replays, by running a small
 * campaign on the stack in the environment (`restorectl stack up` first). Run it when a
 * workflow change is meant to be visible to new workflows only: keep the old fixtures,
 * add new ones next to them, and guard the change with `patched()`.
 *
 *   npm run record-histories -- [name]
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { withScratchCampaigns } from '../bench/scratch-campaigns';
import { campaignWorkflowId } from '../client/temporal';
import { generateSnapshot } from '../snapshot/generate';
import { projectRoot } from '../stack/layout';

async function main() {
  const name = process.argv[2] ?? 'v1';
  const snapshotDir = join(await mkdtemp(join(tmpdir(), 'record-')), 'snapshot');
  await generateSnapshot(snapshotDir, { users: 12, seed: 'record', corruptRate: 0.2 });
  await withScratchCampaigns('record', async ({ client, run }) => {
    // Small batches and runs, so the histories hold child workflows in a window and a continue-as-new.
    const { campaignId } = await run({ snapshotDir, categories: ['contacts', 'notes'], batchSize: 3, concurrency: 2, batchesPerRun: 2 });
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
  });
}

main().catch((err) => {
  process.stderr.write(`record-histories: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
