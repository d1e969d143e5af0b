import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Env } from '../../config/env';
import { openScratchCampaigns, type ScratchCampaigns } from '../../harness/scratch-campaigns';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** A logger for the workflow bundler that says nothing: webpack's chatter is no test output. */
export const quietLogger = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

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
