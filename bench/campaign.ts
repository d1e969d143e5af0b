/**
 * Measures a whole campaign: generates a snapshot of N users, restores the chosen
 * categories through real workflows on the stack in the environment (`restorectl stack
 * up` first), with a worker in this process, and prints throughput. Asserts nothing;
 * uses databases of its own and drops them after.
 *
 *   node dist/bench/campaign.js [--users 2000] [--categories contacts] [--batch-size 250] [--concurrency 4]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { categoriesArg } from '../cli/commands/campaign';
import { positiveIntArg } from '../cli/parse';
import { generateSnapshot } from '../snapshot/generate';
import { withScratchCampaigns } from '../harness/scratch-campaigns';
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY } from '../client/campaigns';

async function main() {
  const opts = new Command('bench-campaign')
    .option('--users <n>', 'users in the snapshot', positiveIntArg, 2000)
    .option('--categories <list>', 'categories to restore', categoriesArg, ['contacts'])
    .option('--batch-size <n>', 'users per batch workflow', positiveIntArg, DEFAULT_BATCH_SIZE)
    .option('--concurrency <n>', 'batch workflows at once', positiveIntArg, DEFAULT_CONCURRENCY)
    .parse()
    .opts();
  const dir = await mkdtemp(join(tmpdir(), 'bench-campaign-'));
  const snapshotDir = join(dir, 'snapshot');
  const summary = await generateSnapshot(snapshotDir, { users: opts.users, seed: 'bench', corruptRate: 0.02 });
  try {
    await withScratchCampaigns('bench', async ({ runCampaign }) => {
      const started = process.hrtime.bigint();
      const report = await runCampaign({ snapshotDir, categories: opts.categories, batchSize: opts.batchSize, concurrency: opts.concurrency });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const lines = opts.categories.reduce((n: number, c: keyof typeof summary.lines) => n + summary.lines[c], 0);
      const valid = Object.values(report.categories).reduce((n, c) => n + c!.records.valid, 0);
      const figures = {
        users: opts.users,
        categories: opts.categories,
        batchSize: opts.batchSize,
        concurrency: opts.concurrency,
        lines,
        validRecords: valid,
        seconds: Number(seconds.toFixed(1)),
        usersPerSecond: Number(((opts.users * opts.categories.length) / seconds).toFixed(1)),
        linesPerSecond: Math.round(lines / seconds),
      };
      process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench-campaign: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
