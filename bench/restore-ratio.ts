/**
 * `npm run bench` (stack up first): how close restorectl comes to the store's own write
 * rate, and whether its cost per record holds as the snapshot grows. For each size it
 * generates a synthetic snapshot, times a raw `insertMany` of the same contacts into an
 * empty collection of the same store carrying the live index (the physical limit), then
 * restores the snapshot's contacts through real workflows with `restorectl worker` running
 * in a process of its own, as in production, whose peak resident memory (VmHWM) it reads
 * at the end. Prints the figures, or one JSON document with --json.
 * Asserts nothing; uses databases of its own and drops them after.
 *
 *   node dist/bench/restore-ratio.js [--sizes 2000,20000] [--batch-size 250] [--concurrency 4] [--worker-log FILE] [--json]
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Command } from 'commander';
import { z } from 'zod';
import { boundedIntArg, parseWith } from '../cli/parse';
import { chunked, readLines } from '../snapshot/line-reader';
import { generateSnapshot } from '../snapshot/generate';
import { snapshotFiles } from '../snapshot/layout';
import { restoredDocument } from '../store/live-store';
import { withScratchCampaigns } from '../harness/scratch-campaigns';
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, MAX_BATCH_SIZE, startCampaign, waitForCampaign } from '../client/campaigns';
import type { Env } from '../config/env';
import { projectRoot } from '../stack/layout';
import type { CampaignReport } from '../store/campaign-report';
import { MAX_CONCURRENCY } from '../workflows/pace';

const sizesArg = parseWith(
  z
    .string()
    .transform((s) => s.split(',').map(Number))
    .refine((list) => list.length > 0 && list.every((n) => Number.isInteger(n) && n > 0)),
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
  /** CPU time the worker spent on the campaign, per record: what sizing its hosts starts from. */
  workerCpuMsPerRecord: number;
}

/** What the kernel says of a process: its resident memory's high-water mark, and the CPU time it has used. */
interface ProcessUsage {
  peakMiB: number;
  cpuSeconds: number;
}

/**
 * `restorectl worker` in a process of its own on `env`, answered once it has made its
 * workflow bundle and polls: a production worker is up before a campaign starts.
 */
async function startWorkerProcess(env: Env, logFile?: string): Promise<{ usage(): Promise<ProcessUsage>; stop(): Promise<void> }> {
  const worker = spawn(process.execPath, [join(projectRoot, 'bin', 'restorectl'), 'worker'], {
    // At least info, for its start line; LOG_LEVEL=debug adds each batch's phases (restore phase).
    env: { ...process.env, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])), LOG_LEVEL: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let said = '';
  await new Promise<void>((resolve, reject) => {
    worker.stderr.on('data', (chunk) => {
      if (logFile) appendFileSync(logFile, chunk);
      said = (said + chunk).slice(-10_000);
      if (said.includes('"msg":"worker started"')) resolve();
    });
    void exited.then(() => reject(new Error(`the worker exited before it started: ${said.slice(-500)}`)));
  });
  return {
    // Of the node that `restorectl worker` starts with a bounded heap (worker/heap-limit.ts), when it did.
    usage: async () => {
      const [child] = (await readFile(`/proc/${worker.pid}/task/${worker.pid}/children`, 'utf8')).split(' ').filter(Boolean);
      const pid = child ?? worker.pid;
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      // utime and stime, the 14th and 15th fields, in the kernel's 100 ticks a second; after the name, which may hold spaces.
      const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
      return { peakMiB: Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024), cpuSeconds: (Number(stat[11]) + Number(stat[12])) / 100 };
    },
    stop: async () => {
      worker.kill('SIGTERM');
      await exited;
    },
  };
}

async function main() {
  const opts = new Command('bench')
    .option('--sizes <list>', 'user counts to measure', sizesArg, [2000, 20000])
    .option('--batch-size <n>', 'users per batch workflow', boundedIntArg(1, MAX_BATCH_SIZE), DEFAULT_BATCH_SIZE)
    .option('--concurrency <n>', 'batch workflows at once', boundedIntArg(1, MAX_CONCURRENCY), DEFAULT_CONCURRENCY)
    .option('--worker-log <file>', "append the worker's log lines to FILE (with LOG_LEVEL=debug, each batch's phases)")
    .option('--json', 'one JSON document on stdout')
    .parse()
    .opts();
  const say = (line: string) => (opts.json ? undefined : process.stderr.write(`${line}\n`));
  const sizes: SizeFigures[] = [];
  for (const users of opts.sizes as number[]) {
    const dir = await mkdtemp(join(tmpdir(), 'bench-'));
    try {
      const snapshotDir = join(dir, 'snapshot');
      say(`${users} users: generating the snapshot`);
      await generateSnapshot(snapshotDir, { users, seed: 'bench', corruptRate: 0 });
      await withScratchCampaigns('bench', async ({ env, client, stores }) => {
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
        const worker = await startWorkerProcess(env, opts.workerLog);
        let report: CampaignReport;
        let seconds: number;
        let before: ProcessUsage;
        let after: ProcessUsage;
        try {
          before = await worker.usage();
          const started = process.hrtime.bigint();
          const campaignId = await startCampaign(client, env, { snapshotDir, categories: ['contacts'], batchSize: opts.batchSize, concurrency: opts.concurrency });
          report = await waitForCampaign(client, campaignId, undefined, 200);
          seconds = Number(process.hrtime.bigint() - started) / 1e9;
          after = await worker.usage();
        } finally {
          await worker.stop();
        }
        const restored = report.categories.contacts!.records.valid;
        const figures: SizeFigures = {
          users,
          contactRecords,
          rawInsertRecordsPerSecond: Math.round(contactRecords / rawSeconds),
          restoreSeconds: Number(seconds.toFixed(1)),
          restoreRecordsPerSecond: Math.round(restored / seconds),
          ratio: Number((restored / seconds / (contactRecords / rawSeconds)).toFixed(3)),
          msPerRecord: Number(((seconds * 1000) / restored).toFixed(3)),
          peakRssMiB: after.peakMiB,
          workerCpuMsPerRecord: Number((((after.cpuSeconds - before.cpuSeconds) * 1000) / restored).toFixed(3)),
        };
        sizes.push(figures);
        say(`${users} users: ${JSON.stringify(figures)}`);
      });
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
        `${s.users} users, ${s.contactRecords} contacts: raw insertMany ${s.rawInsertRecordsPerSecond}/s, restorectl ${s.restoreRecordsPerSecond}/s (ratio ${s.ratio}), all back in ${s.restoreSeconds} s, ${s.msPerRecord} ms per record, peak memory ${s.peakRssMiB} MiB, worker CPU ${s.workerCpuMsPerRecord} ms per record\n`,
      );
    }
    if (result.costGrowth !== null) process.stdout.write(`cost per record, largest over smallest: ${result.costGrowth}x\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
