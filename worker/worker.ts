import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Env } from '../config/env';
import { logger } from '../config/logger';
import { createActivities } from '../activities';
import { TemporalUnavailableError } from '../domain/errors';
import { connectStores } from '../store/mongo/connection';
import { prebuiltWorkflowBundle } from './workflow-bundle';

export interface RestoreWorker {
  worker: Worker;
  /** Closes the store and Temporal connections once the worker has stopped. */
  close(): Promise<void>;
}

/** Pause between attempts to reach Temporal at start. */
const CONNECT_RETRY_MS = 2000;

/**
 * Connects to Temporal, trying again for up to RESTORE_CONNECT_TIMEOUT_SECONDS with a
 * log line naming the address each time, so a worker started before its server waits
 * a while, and one pointed at the wrong address exits non-zero for its supervisor to see.
 */
async function connectToTemporal(env: Env): Promise<NativeConnection> {
  const deadline = Date.now() + env.RESTORE_CONNECT_TIMEOUT_SECONDS * 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (Date.now() + CONNECT_RETRY_MS > deadline) {
        throw new TemporalUnavailableError(`Temporal at ${env.TEMPORAL_ADDRESS} did not answer within ${env.RESTORE_CONNECT_TIMEOUT_SECONDS} s (${reason})`, { cause: err });
      }
      logger().warn({ temporal: env.TEMPORAL_ADDRESS, attempt }, 'Temporal does not answer yet; trying again');
      await new Promise((r) => setTimeout(r, CONNECT_RETRY_MS));
    }
  }
}

/** The prebuilt workflow bundle when it is current (worker/workflow-bundle.ts), else the compiled workflows for the worker to bundle. */
async function workflowCode(): Promise<Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>> {
  const prebuilt = await prebuiltWorkflowBundle();
  if (prebuilt) return { workflowBundle: prebuilt };
  logger().info('no current prebuilt workflow bundle (scripts/bootstrap makes one): bundling the workflows now');
  return { workflowsPath: require.resolve('../workflows') };
}

/**
 * Creates a worker for the campaign and batch workflows and every activity, on the
 * task queue of `env`. `overrides` lets tests pass a prebuilt workflow bundle. On
 * shutdown, running activities are cancelled after a short grace (long ones stop at
 * their next heartbeat and resume from it elsewhere) and the worker gives up waiting
 * after a minute, so a supervisor's SIGTERM always ends it.
 */
export async function createRestoreWorker(env: Env, overrides: Partial<WorkerOptions> = {}): Promise<RestoreWorker> {
  const connection = await connectToTemporal(env);
  const stores = await connectStores(env).catch(async (err) => {
    await connection.close();
    throw err;
  });
  const close = async () => {
    // Counts only, never a document: what the worker cost the store, for whoever sizes it (bench/restore-ratio.ts reads it).
    logger().info({ commands: stores.commands }, 'store commands');
    await connection.close();
    await stores.client.close();
  };
  try {
    const worker = await Worker.create({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.RESTORE_TASK_QUEUE,
      // Exactly one of workflowsPath and workflowBundle may be given: a test's bundle, else the prebuilt one, else the sources to bundle now.
      ...(overrides.workflowBundle ? {} : await workflowCode()),
      activities: createActivities(stores, {}, env.RESTORE_WEBHOOK_SECRET),
      shutdownGraceTime: '10 seconds',
      shutdownForceTime: '1 minute',
      ...overrides,
    });
    return { worker, close };
  } catch (err) {
    await close();
    throw err;
  }
}
