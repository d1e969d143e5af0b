/**
 * `npm run bench` (stack up first): how close restorectl comes to the store's own write
 * rate, and whether its cost per record holds as the snapshot grows. For each size it
 * generates a synthetic snapshot, times a raw `insertMany` of the same contacts into an
 * empty collection of the same store carrying the live index (the physical limit), then
 * restores the snapshot's contacts through real workflows with a worker in this process,
 * sampling this process's peak memory. Prints the figures, or one JSON document with --json.
 * Asserts nothing; uses databases of its own and drops them after.
 *
 *   node dist/bench/restore-ratio.js [--sizes 2000,20000] [--batch-size 100] [--concurrency 4] [--json]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { Command } from 'commander';
import { z } from 'zod';
import { boundedIntArg, parseWith } from '../client/parse';
import { chunked, readLines } from '../snapshot/line-reader';
import { generateSnapshot } from '../snapshot/generate';
import { snapshotFiles } from '../snapshot/layout';
import { restoredDocument } from '../store/live-store';
import { withScratchCampaigns } from '../harness/scratch-campaigns';
import { MAX_CONCURRENCY } from '../workflows/pace';

const sizesArg = parseWith(
  z.string().transform((s) => s.split(',').map(Number)).refine((list) => list.length > 0 && list.every((n) => Number.isInteger(n) && n > 0)),
  'must be a comma-separated list of user counts',
);

interface SizeFigures {
  users: number;
  contactRecords: number;
  rawInsertRecordsPerSecond: number;
  restoreSeconds: number;
  restoreRecordsPerSecond: number;
  ratio: number;
  msPerRecord: number;
  peakRssMiB: number;
}

/** Samples this process's resident memory until stopped; returns the peak in MiB. */
function rssSampler(): () => number {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  return () => {
    clearInterval(timer);
    return Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20);
  };
}

async function main() {
  const opts = new Command('bench')
    .option('--sizes <list>', 'user counts to measure', sizesArg, [2000, 20000])
    .option('--batch-size <n>', 'users per batch workflow', boundedIntArg(1, 1000), 100)
    .option('--concurrency <n>', 'batch workflows at once', boundedIntArg(1, MAX_CONCURRENCY), 4)
    .option('--json', 'one JSON document on stdout')
    .parse()
    .opts();
  const say = (line: string) => (opts.json ? undefined : process.stderr.write(`${line}\n`));
  const sizes: SizeFigures[] = [];
  // Bundled before any clock starts: a production worker is up before the campaign, its bundle long made.
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
  for (const users of opts.sizes as number[]) {
    const dir = await mkdtemp(join(tmpdir(), 'bench-'));
    try {
      const snapshotDir = join(dir, 'snapshot');
      say(`${users} users: generating the snapshot`);
      await generateSnapshot(snapshotDir, { users, seed: 'bench', corruptRate: 0 });
      await withScratchCampaigns('bench', async ({ stores, runCampaign }) => {
        // The physical limit: the same records, inserted as fast as the store takes them.
        let contactRecords = 0;
        let rawSeconds = 0;
        const raw = stores.target.collection('raw_contacts');
        await raw.createIndex({ userId: 1, recordId: 1 }, { unique: true });
        const provenance = { campaignId: 'raw', snapshotId: 'raw', restoredAt: new Date() };
        for await (const lines of chunked(readLines(snapshotFiles.category(snapshotDir, 'contacts')), 1000)) {
          const docs = lines.map((l) => {
            const r = JSON.parse(l.text);
            return restoredDocument(r.userId, r, provenance);
          });
          const started = process.hrtime.bigint();
          await raw.insertMany(docs, { ordered: false });
          rawSeconds += Number(process.hrtime.bigint() - started) / 1e9;
          contactRecords += docs.length;
        }
        await raw.drop();
        say(`${users} users: raw insertMany ${Math.round(contactRecords / rawSeconds)} records/s; restoring`);
        const peakRss = rssSampler();
        const started = process.hrtime.bigint();
        const report = await runCampaign({ snapshotDir, categories: ['contacts'], batchSize: opts.batchSize, concurrency: opts.concurrency });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const restored = report.categories.contacts!.records.valid;
        const figures: SizeFigures = {
          users,
          contactRecords,
          rawInsertRecordsPerSecond: Math.round(contactRecords / rawSeconds),
          restoreSeconds: Number(seconds.toFixed(1)),
          restoreRecordsPerSecond: Math.round(restored / seconds),
          ratio: Number((restored / seconds / (contactRecords / rawSeconds)).toFixed(3)),
          msPerRecord: Number(((seconds * 1000) / restored).toFixed(3)),
          peakRssMiB: peakRss(),
        };
        sizes.push(figures);
        say(`${users} users: ${JSON.stringify(figures)}`);
      }, { workflowBundle });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const result = {
    batchSize: opts.batchSize,
    concurrency: opts.concurrency,
    sizes,
    /** Time per record at the largest size over that at the smallest: 1.0 is a flat cost. */
    costGrowth: sizes.length > 1 ? Number((sizes[sizes.length - 1].msPerRecord / sizes[0].msPerRecord).toFixed(2)) : null,
  };
  if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    for (const s of sizes) {
      process.stdout.write(
        `${s.users} users, ${s.contactRecords} contacts: raw insertMany ${s.rawInsertRecordsPerSecond}/s, restorectl ${s.restoreRecordsPerSecond}/s (ratio ${s.ratio}), all back in ${s.restoreSeconds} s, ${s.msPerRecord} ms per record, peak memory ${s.peakRssMiB} MiB\n`,
      );
    }
    if (result.costGrowth !== null) process.stdout.write(`cost per record, largest over smallest: ${result.costGrowth}x\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
