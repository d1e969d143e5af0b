import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Env } from '../config/env';
import { createActivities } from '../activities';
import { connectStores } from '../store/connection';

export interface RestoreWorker {
  worker: Worker;
  /** Closes the store and Temporal connections once the worker has stopped. */
  close(): Promise<void>;
}

/**
 * Creates a worker for the campaign and batch workflows and every activity, on the
 * task queue of `env`. `overrides` lets tests pass a prebuilt workflow bundle.
 */
export async function createRestoreWorker(env: Env, overrides: Partial<WorkerOptions> = {}): Promise<RestoreWorker> {
  const stores = await connectStores(env);
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.RESTORE_TASK_QUEUE,
    // Exactly one of workflowsPath and workflowBundle may be given.
    ...(overrides.workflowBundle ? {} : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities(stores),
    ...overrides,
  });
  return {
    worker,
    async close() {
      await connection.close();
      await stores.client.close();
    },
  };
}
