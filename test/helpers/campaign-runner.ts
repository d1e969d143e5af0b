import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Activities } from '../../activities';
import type { Env } from '../../config/env';
import { createRestoreWorker } from '../../worker/worker';
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

/** Runs `fn` while a worker of the harness's queue runs `activities` (a test's wrappers or hooks), and stops the worker after. */
export async function withActivities<T>(h: Harness, activities: Activities, fn: () => Promise<T>): Promise<T> {
  const { worker, close } = await createRestoreWorker(h.env, { workflowBundle: await workflowBundle(), activities });
  try {
    return await worker.runUntil(fn);
  } finally {
    await close();
  }
}
