/**
 * Measures a whole campaign: generates a snapshot of N users, restores the chosen
 * categories through real workflows on the stack in the environment (`restorectl stack
 * up` first), with a worker in this process, and prints throughput. Asserts nothing;
 * uses databases of its own and drops them after.
 *
 *   node dist/bench/campaign.js [--users 2000] [--categories contacts] [--batch-size 100] [--concurrency 4]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { startCampaign, waitForCampaign } from '../client/campaigns';
import { categoriesArg } from '../client/commands/campaign';
import { positiveIntArg } from '../client/parse';
import { connectTemporal } from '../client/temporal';
import { loadEnv } from '../config/env';
import { generateSnapshot } from '../snapshot/generate';
import { connectStores } from '../store/connection';
import { installRuntimeLogging } from '../worker/runtime-logging';
import { createRestoreWorker } from '../worker/worker';

async function main() {
  const opts = new Command('bench-campaign')
    .option('--users <n>', 'users in the snapshot', positiveIntArg, 2000)
    .option('--categories <list>', 'categories to restore', categoriesArg, ['contacts'])
    .option('--batch-size <n>', 'users per batch workflow', positiveIntArg, 100)
    .option('--concurrency <n>', 'batch workflows at once', positiveIntArg, 4)
    .parse()
    .opts();
  const stamp = Date.now().toString(36);
  const env = loadEnv({ ...process.env, RESTORE_TARGET_DB: `bench_app_${stamp}`, RESTORE_CONTROL_DB: `bench_restore_${stamp}`, RESTORE_TASK_QUEUE: `bench-${stamp}` });
  installRuntimeLogging(process.env.LOG_LEVEL ?? 'warn');
  const dir = await mkdtemp(join(tmpdir(), 'bench-campaign-'));
  const snapshotDir = join(dir, 'snapshot');
  const summary = await generateSnapshot(snapshotDir, { users: opts.users, seed: 'bench', corruptRate: 0.02 });
  const client = await connectTemporal(env);
  const { worker, close } = await createRestoreWorker(env);
  try {
    const started = process.hrtime.bigint();
    const report = await worker.runUntil(async () => {
      const id = await startCampaign(client, env, { snapshotDir, categories: opts.categories, batchSize: opts.batchSize, concurrency: opts.concurrency });
      return waitForCampaign(client, id, undefined, 500);
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const lines = opts.categories.reduce((n: number, c: keyof typeof summary.lines) => n + summary.lines[c], 0);
    const valid = Object.values(report.categories).reduce((n, c) => n + c!.records.valid, 0);
    process.stdout.write(
      `${JSON.stringify(
        {
          users: opts.users,
          categories: opts.categories,
          batchSize: opts.batchSize,
          concurrency: opts.concurrency,
          lines,
          validRecords: valid,
          seconds: Number(seconds.toFixed(1)),
          usersPerSecond: Number(((opts.users * opts.categories.length) / seconds).toFixed(1)),
          linesPerSecond: Math.round(lines / seconds),
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await close();
    await client.connection.close();
    const stores = await connectStores(env);
    await stores.target.dropDatabase();
    await stores.control.dropDatabase();
    await stores.client.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench-campaign: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
