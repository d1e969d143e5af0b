import type { Command } from 'commander';
import { loadEnv } from '../../config/env';
import { logger } from '../../config/logger';
import { installRuntimeLogging } from '../../worker/runtime-logging';
import { createRestoreWorker } from '../../worker/worker';
import { heapLimitFlag, rerunWith, stopWithParent } from '../../worker/heap-limit';

/** How often a worker logs its memory at debug level. */
const MEMORY_LOG_MS = 5000;

/** `worker`: runs until SIGINT or SIGTERM, then drains running tasks. */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a worker for campaign and batch workflows until SIGINT or SIGTERM')
    .action(async () => {
      const env = loadEnv();
      // The worker runs in a node whose heap is bounded (RESTORE_WORKER_HEAP_MIB): this one starts it, and waits.
      const flag = heapLimitFlag(process.execArgv, process.env.NODE_OPTIONS, env.RESTORE_WORKER_HEAP_MIB);
      if (flag) {
        process.exitCode = await rerunWith(flag);
        return;
      }
      stopWithParent();
      installRuntimeLogging();
      const { worker, close } = await createRestoreWorker(env);
      logger().info({ taskQueue: env.RESTORE_TASK_QUEUE, temporal: env.TEMPORAL_ADDRESS }, 'worker started');
      // Where the worker's memory goes, for whoever sizes its hosts (LOG_LEVEL=debug).
      const memory = setInterval(() => {
        const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
        logger().debug(
          Object.fromEntries(Object.entries({ rss, heapUsed, heapTotal, external, arrayBuffers }).map(([k, v]) => [`${k}MiB`, Math.round(v / 2 ** 20)])),
          'worker memory',
        );
      }, MEMORY_LOG_MS).unref();
      try {
        await worker.run();
      } finally {
        clearInterval(memory);
        await close();
      }
      logger().info('worker stopped');
    });
}
