/**
 * Replays recorded histories (test/fixtures/histories, written by
 * scripts/record-histories.ts) against today's workflow code. A change that would
 * break workflows already running fails here; guard such a change with `patched()`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { quietLogger, workflowBundle } from './helpers/campaign-runner';
import { installRuntimeLogging } from '../worker/runtime-logging';

const dir = join(__dirname, 'fixtures', 'histories');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('recorded workflow histories', () => {
  beforeAll(() => installRuntimeLogging('warn'));

  it('include a campaign that continued as new, a restore batch, a webhook delivery and an undo', () => {
    expect(fixtures.filter((f) => f.startsWith('campaign-')).length).toBeGreaterThan(1);
    expect(fixtures.some((f) => f.startsWith('restore-batch-'))).toBe(true);
    expect(fixtures.some((f) => f.startsWith('delivery-'))).toBe(true);
    expect(fixtures.some((f) => f.startsWith('undo-'))).toBe(true);
  });

  it.each(fixtures)('%s replays without nondeterminism', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    const types: [string, string][] = [
      ['campaign-', 'campaignWorkflow'],
      ['replay-', 'replayWorkflow'],
      ['delivery-', 'deliveryWorkflow'],
      ['undo-', 'undoWorkflow'],
      ['restore-batch-', 'restoreBatchWorkflow'],
    ];
    const workflowType = types.find(([prefix]) => file.startsWith(prefix))?.[1];
    expect(history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe(workflowType);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file);
  });

  it('fails a history replayed against a workflow changed without patched(): the replay test can fail', async () => {
    const history = historyFromJSON(JSON.parse(readFileSync(join(dir, 'restore-batch-v1.json'), 'utf8')));
    const changed = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/changed-workflows'), logger: quietLogger });
    await expect(Worker.runReplayHistory({ workflowBundle: changed }, history, 'changed')).rejects.toThrow(DeterminismViolationError);
  });
});
