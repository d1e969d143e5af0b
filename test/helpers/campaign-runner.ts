import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Env } from '../../config/env';
import { startCampaign, type StartCampaignOptions, waitForCampaign } from '../../client/campaigns';
import { connectTemporal } from '../../client/temporal';
import type { CampaignReport } from '../../store/campaign-report';
import { type Stores, connectStores } from '../../store/connection';
import { installRuntimeLogging } from '../../worker/runtime-logging';
import { createRestoreWorker } from '../../worker/worker';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** A logger for the workflow bundler that says nothing: webpack's chatter is no test output. */
export const quietLogger = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** The workflow bundle, built once per test file (webpack takes seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  return bundle;
}

/** A real worker and client on the test's task queue, plus direct store access for assertions. */
export interface Harness {
  env: Env;
  client: Client;
  stores: Stores;
  /** Starts a campaign and runs a real worker until it finishes. */
  runCampaign(options: StartCampaignOptions): Promise<CampaignReport>;
  close(): Promise<void>;
}

export async function createHarness(env: Env): Promise<Harness> {
  installRuntimeLogging('error');
  const client = await connectTemporal(env);
  const stores = await connectStores(env);
  return {
    env,
    client,
    stores,
    async runCampaign(options) {
      const { worker, close } = await createRestoreWorker(env, { workflowBundle: await workflowBundle() });
      try {
        return await worker.runUntil(async () => {
          const campaignId = await startCampaign(client, env, options);
          return waitForCampaign(client, campaignId, undefined, 200);
        });
      } finally {
        await close();
      }
    },
    async close() {
      await stores.target.dropDatabase().catch(() => undefined);
      await stores.control.dropDatabase().catch(() => undefined);
      await stores.client.close();
      await client.connection.close();
    },
  };
}
