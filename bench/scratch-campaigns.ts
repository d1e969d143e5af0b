import type { Client } from '@temporalio/client';
import { startCampaign, type StartCampaignOptions, waitForCampaign } from '../client/campaigns';
import { connectTemporal } from '../client/temporal';
import { type Env, loadEnv } from '../config/env';
import type { CampaignReport } from '../store/campaign-report';
import { CATEGORIES } from '../domain/categories';
import { connectStores } from '../store/connection';
import { createApplicationIndexes } from '../store/live-indexes';
import { installRuntimeLogging } from '../worker/runtime-logging';
import { createRestoreWorker } from '../worker/worker';

export interface ScratchCampaigns {
  env: Env;
  client: Client;
  /** Starts a campaign and runs this process's worker until it finishes. */
  run(options: StartCampaignOptions): Promise<CampaignReport>;
  /** Runs a worker in this process until `fn` settles (a worker runs once: each call has its own). */
  runWorkerUntil<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * Runs `fn` against the stack in the environment with databases and a task queue of
 * its own (named after `prefix`), the live collections indexed as an application's
 * should be, and a worker in this process; drops the databases after.
 * For scripts that need real campaigns: benchmarks, recording replay fixtures.
 */
export async function withScratchCampaigns<T>(prefix: string, fn: (scratch: ScratchCampaigns) => Promise<T>): Promise<T> {
  const stamp = Date.now().toString(36);
  const env = loadEnv({
    ...process.env,
    RESTORE_TARGET_DB: `${prefix}_app_${stamp}`,
    RESTORE_CONTROL_DB: `${prefix}_restore_${stamp}`,
    RESTORE_TASK_QUEUE: `${prefix}-${stamp}`,
  });
  installRuntimeLogging(process.env.LOG_LEVEL ?? 'warn');
  const client = await connectTemporal(env);
  const setup = await connectStores(env);
  await createApplicationIndexes(setup.target, CATEGORIES).finally(() => setup.client.close());
  const runWorkerUntil = async <R>(until: () => Promise<R>): Promise<R> => {
    const { worker, close } = await createRestoreWorker(env);
    try {
      return await worker.runUntil(until);
    } finally {
      await close();
    }
  };
  try {
    return await fn({
      env,
      client,
      run: (options) => runWorkerUntil(async () => waitForCampaign(client, await startCampaign(client, env, options), undefined, 500)),
      runWorkerUntil,
    });
  } finally {
    await client.connection.close();
    const stores = await connectStores(env);
    await stores.target.dropDatabase();
    await stores.control.dropDatabase();
    await stores.client.close();
  }
}
