import type { Command } from 'commander';
import { loadEnv } from '../../config/env';
import { logger } from '../../config/logger';
import { installRuntimeLogging } from '../../worker/runtime-logging';
import { createRestoreWorker } from '../../worker/worker';

/** `worker`: runs until SIGINT or SIGTERM, then drains running tasks. */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a worker for campaign and batch workflows until SIGINT or SIGTERM')
    .action(async () => {
      const env = loadEnv();
      installRuntimeLogging();
      const { worker, close } = await createRestoreWorker(env);
      logger().info({ taskQueue: env.RESTORE_TASK_QUEUE, temporal: env.TEMPORAL_ADDRESS }, 'worker started');
      try {
        await worker.run();
      } finally {
        await close();
      }
      logger().info('worker stopped');
    });
}
