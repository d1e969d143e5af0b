import type { Client } from '@temporalio/client';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startCampaign, type StartCampaignOptions, waitForCampaign } from '../client/campaigns';
import { connectTemporal } from '../client/temporal';
import { type Env, loadEnv } from '../config/env';
import { CATEGORIES } from '../domain/categories';
import type { CampaignReport } from '../store/control/campaign-report';
import { connectStores, type Stores } from '../store/mongo/connection';
import { createApplicationIndexes } from '../store/live/live-indexes';
import { installRuntimeLogging } from '../worker/runtime-logging';
import { createRestoreWorker } from '../worker/worker';

/**
 * Real campaigns on the running stack, in databases and on a task queue of their own:
 * the one harness of the integration tests, the benchmarks and the fixture recorder.
 */
export interface ScratchCampaigns {
  env: Env;
  client: Client;
  /** Direct access to both databases, for assertions and set-up. */
  stores: Stores;
  /** Starts a campaign and runs a worker in this process until it finishes. */
  runCampaign(options: StartCampaignOptions): Promise<CampaignReport>;
  /** Runs a worker in this process until `fn` settles (a worker runs once: each call has its own). */
  runWorkerUntil<T>(fn: () => Promise<T>): Promise<T>;
  /** Drops both databases and closes the connections. */
  close(): Promise<void>;
}

export interface ScratchOptions {
  /** A prebuilt workflow bundle (webpack takes seconds); built per worker when absent. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** Index the live collections as an application should (store/live/live-indexes.ts). */
  indexLiveCollections?: boolean;
  /** Log level of the worker's runtime; default LOG_LEVEL, else warn. */
  logLevel?: string;
  /** How often waiting for a campaign polls it, in ms. */
  pollMs?: number;
}

/** An environment whose databases and task queue are named after `prefix` and the time: no two runs share them. */
export function scratchEnv(prefix: string): Env {
  const stamp = Date.now().toString(36);
  return loadEnv({
    ...process.env,
    RESTORE_TARGET_DB: `${prefix}_app_${stamp}`,
    RESTORE_CONTROL_DB: `${prefix}_restore_${stamp}`,
    RESTORE_TASK_QUEUE: `${prefix}-${stamp}`,
  });
}

/** Connects to the stack in `env` and returns the harness; call `close` when done. */
export async function openScratchCampaigns(env: Env, options: ScratchOptions = {}): Promise<ScratchCampaigns> {
  installRuntimeLogging(options.logLevel ?? process.env.LOG_LEVEL ?? 'warn');
  const client = await connectTemporal(env);
  const stores = await connectStores(env);
  if (options.indexLiveCollections) await createApplicationIndexes(stores.target, CATEGORIES);
  const runWorkerUntil = async <R>(until: () => Promise<R>): Promise<R> => {
    const { worker, close } = await createRestoreWorker(env, options.workflowBundle ? { workflowBundle: options.workflowBundle } : {});
    try {
      return await worker.runUntil(until);
    } finally {
      await close();
    }
  };
  return {
    env,
    client,
    stores,
    runCampaign: (campaign) => runWorkerUntil(async () => waitForCampaign(client, await startCampaign(client, env, campaign), undefined, options.pollMs ?? 500)),
    runWorkerUntil,
    async close() {
      await stores.target.dropDatabase().catch(() => undefined);
      await stores.control.dropDatabase().catch(() => undefined);
      await stores.client.close();
      await client.connection.close();
    },
  };
}

/** Runs `fn` with a harness of its own (named after `prefix`, live collections indexed), and drops its databases after. */
export async function withScratchCampaigns<T>(prefix: string, fn: (scratch: ScratchCampaigns) => Promise<T>): Promise<T> {
  const scratch = await openScratchCampaigns(scratchEnv(prefix), { indexLiveCollections: true });
  try {
    return await fn(scratch);
  } finally {
    await scratch.close();
  }
}
