import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Env } from '../../config/env';
import { quietLogger } from '../../worker/workflow-bundle';
import { openScratchCampaigns, type ScratchCampaigns } from '../../harness/scratch-campaigns';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

export { quietLogger };

/** The workflow bundle, built once per test file (webpack takes seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  return bundle;
}

/** A real worker and client on the test's task queue, plus direct store access for assertions. */
export type Harness = ScratchCampaigns;

/** The shared harness (harness/scratch-campaigns.ts) on the test's environment, with the file's workflow bundle. */
export async function createHarness(env: Env): Promise<Harness> {
  return openScratchCampaigns(env, { workflowBundle: await workflowBundle(), logLevel: 'error', pollMs: 200 });
}
