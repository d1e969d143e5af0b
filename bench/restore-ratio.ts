/**
 * `npm run bench` (stack up first): how close restorectl comes to the store's own write
 * rate, per wave and for all six together, and whether its cost holds as the snapshot grows.
 * For each size it generates a synthetic snapshot and times, per category, a raw
 * `insertMany` of the category's records into an empty collection of the same store
 * carrying the application's index (photos: plus a raw GridFS upload of their blobs): the
 * physical limit, the median of `--raw-runs` such inserts, half of them before the campaign
 * and half after (one run's time on the local stack varies by a third, as checkpoints fall,
 * and the machine's pace drifts over a bench). Then one campaign restores the categories
 * through real workflows, with `restorectl worker` in a process of its own as in
 * production. A wave's time runs from the end of the one before (its staging included) to
 * the end of its last batch, as the campaign's history records it. The worker counts the
 * commands it sends to the store, by database and kind. Prints the figures, or one JSON
 * document with --json. Asserts nothing; uses databases of its own and drops them after.
 *
 * With `--notify-delay-ms N`, the campaign also delivers its events to a local webhook
 * receiver that takes N ms to answer each (`--notify-url`), to show that a slow receiver does
 * not hold the restore back; it prints how many events had arrived when the campaign ended.
 *
 *   node dist/bench/restore-ratio.js [--sizes 2000,20000] [--categories c1,c2] [--batch-size 250] [--concurrency 4] [--raw-runs 4] [--notify-delay-ms N] [--worker-log FILE] [--json]
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Command } from 'commander';
import { GridFSBucket } from 'mongodb';
import { z } from 'zod';
import { categoriesArg } from '../cli/commands/campaign';
import { boundedIntArg, parseWith } from '../cli/parse';
import { CATEGORIES, type Category } from '../domain/categories';
import { CATEGORY_TRAITS, blobDigest } from '../domain/category-traits';
import { chunked, readLines } from '../snapshot/line-reader';
import { generateSnapshot } from '../snapshot/generate';
import { snapshotFiles } from '../snapshot/layout';
import { restoredDocument } from '../store/live/live-store';
import type { Stores } from '../store/mongo/connection';
import { withScratchCampaigns } from '../harness/scratch-campaigns';
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, MAX_BATCH_SIZE, startCampaign } from '../client/campaigns';
import { campaignWorkflowId } from '../client/temporal';
import type { campaignWorkflow } from '../workflows';
import { waveEnds } from './wave-ends';
import type { Env } from '../config/env';
import { projectRoot } from '../stack/layout';
import type { CampaignReport } from '../store/control/campaign-report';
import { MAX_CONCURRENCY } from '../workflows/pace';

const sizesArg = parseWith(
  z
    .string()
    .transform((s) => s.split(',').map(Number))
    .refine((list) => list.length > 0 && list.every((n) => Number.isInteger(n) && n > 0)),
  'must be a comma-separated list of user counts',
);

/** One wave's figures, or all the campaign's together (`category` null). */
interface WaveFigures {
  category: Category | null;
  /** User-categories: users of the campaign, times the categories counted. */
  userCategories: number;
  /** Valid records of the snapshot, which both the raw insert and the campaign write. */
  records: number;
  rawSeconds: number;
  seconds: number;
  ratio: number;
  msPerUserCategory: number;
  msPerRecord: number;
}

interface SizeFigures {
  users: number;
  waves: WaveFigures[];
  all: WaveFigures;
  peakRssMiB: number;
  /** CPU time the worker spent on the campaign, per record: what sizing its hosts starts from. */
  workerCpuMsPerRecord: number;
  /** Commands the worker sent to the store per user-category, by database and kind (`live write` being the records' own). */
  commandsPerUserCategory: Record<string, number>;
}

/** What the kernel says of a process: its resident memory's high-water mark, and the CPU time it has used. */
interface ProcessUsage {
  peakMiB: number;
  cpuSeconds: number;
}

/** The worker's commands to the store so far, by `database.command`, from its last `store commands` log line. */
type CommandCounts = Record<string, number>;

/**
 * `restorectl worker` in a process of its own on `env`, answered once it has made its
 * workflow bundle and polls: a production worker is up before a campaign starts. `stop`
 * answers the commands it sent to the store, which it logs as it stops.
 */
async function startWorkerProcess(env: Env, logFile?: string): Promise<{ usage(): Promise<ProcessUsage>; stop(): Promise<CommandCounts> }> {
  const worker = spawn(process.execPath, [join(projectRoot, 'bin', 'restorectl'), 'worker'], {
    // At least info, for its start and stop lines; LOG_LEVEL=debug adds each batch's phases (restore phase).
    env: { ...process.env, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])), LOG_LEVEL: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let said = '';
  let counts: CommandCounts = {};
  await new Promise<void>((resolve, reject) => {
    worker.stderr.on('data', (chunk) => {
      if (logFile) appendFileSync(logFile, chunk);
      said = (said + chunk).slice(-100_000);
      for (const line of String(chunk).split('\n')) if (line.includes('"msg":"store commands"')) counts = (JSON.parse(line) as { commands: CommandCounts }).commands;
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
      return counts;
    },
  };
}

/**
 * The physical limit for one category: its valid records inserted as fast as the store takes
 * them, into an empty collection with the application's index, and for photos their blobs
 * uploaded to GridFS too. Answers the records and the seconds the store took.
 */
async function rawInsert(stores: Stores, snapshotDir: string, category: Category): Promise<{ records: number; seconds: number }> {
  const raw = stores.target.collection(`raw_${category}`);
  await raw.createIndex({ userId: 1, recordId: 1 }, { unique: true });
  const trait = CATEGORY_TRAITS[category].blob;
  const bucket = trait ? new GridFSBucket(stores.target, { bucketName: `raw_${trait.bucket}` }) : undefined;
  const provenance = { campaignId: 'raw', snapshotId: 'raw', restoredAt: new Date() };
  let records = 0;
  let nanos = 0n;
  for await (const lines of chunked(readLines(snapshotFiles.category(snapshotDir, category)), 1000)) {
    const parsed = lines.map((l) => JSON.parse(l.text));
    const blobs = bucket ? await Promise.all(parsed.map((r) => readFile(snapshotFiles.blob(snapshotDir, blobDigest(trait!, r.data)!)))) : [];
    const started = process.hrtime.bigint();
    await raw.insertMany(
      parsed.map((r) => restoredDocument(r.userId, r, provenance)),
      { ordered: false },
    );
    for (const [i, bytes] of blobs.entries()) {
      await new Promise<void>((resolve, reject) =>
        bucket!
          .openUploadStream(`${parsed[i].userId}/${parsed[i].recordId}`)
          .once('finish', () => resolve())
          .once('error', reject)
          .end(bytes),
      );
    }
    nanos += process.hrtime.bigint() - started;
    records += parsed.length;
  }
  await raw.drop();
  if (bucket) await bucket.drop().catch(() => undefined);
  return { records, seconds: Number(nanos) / 1e9 };
}

/** The middle of sorted figures (the mean of the two middle ones for an even count). */
function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A category's raw inserts: its records, and the seconds of each run before the campaign and after it. */
interface RawRuns {
  records: number;
  before: number[];
  after: number[];
}

/** The median of a category's raw runs, said with each run's time. */
function rawMedian(users: number, category: Category, runs: RawRuns, say: (line: string) => void): number {
  const all = [...runs.before, ...runs.after].sort((a, b) => a - b);
  const middle = median(all);
  const times = (side: number[]) => side.map((s) => s.toFixed(2)).join(', ');
  const each = all.length > 1 ? ` (median of ${all.length}: before ${times(runs.before)} s${runs.after.length ? `, after ${times(runs.after)} s` : ''})` : '';
  say(`${users} users: raw ${category} ${Math.round(runs.records / middle)} records/s${each}`);
  return middle;
}

/** A wave's figures from its records, its raw time and its own. */
function figuresOf(category: Category | null, userCategories: number, records: number, rawSeconds: number, seconds: number): WaveFigures {
  return {
    category,
    userCategories,
    records,
    rawSeconds: Number(rawSeconds.toFixed(2)),
    seconds: Number(seconds.toFixed(2)),
    ratio: Number((rawSeconds / seconds).toFixed(3)),
    msPerUserCategory: Number(((seconds * 1000) / userCategories).toFixed(3)),
    msPerRecord: Number(((seconds * 1000) / Math.max(1, records)).toFixed(3)),
  };
}

/** Commands per user-category, by database (control or live) and kind; the live writes are the records' own. */
function commandsPer(counts: CommandCounts, targetDb: string, userCategories: number): Record<string, number> {
  const per: Record<string, number> = {};
  for (const [key, n] of Object.entries(counts)) {
    const [db, command] = [key.slice(0, key.lastIndexOf('.')), key.slice(key.lastIndexOf('.') + 1)];
    const room = db === targetDb ? (['insert', 'update', 'delete'].includes(command) ? 'live write' : 'live read') : 'control';
    per[room] = (per[room] ?? 0) + n / userCategories;
  }
  return Object.fromEntries(Object.entries(per).map(([k, v]) => [k, Number(v.toFixed(2))]));
}

/** A webhook receiver on loopback that answers every POST with 204 after `delayMs`, counting them. */
async function slowReceiver(delayMs: number): Promise<{ url: string; received(): number; close(): void }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume().on('end', () => setTimeout(() => (received++, res.writeHead(204).end()), delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, received: () => received, close: () => server.close() };
}

async function measureSize(
  users: number,
  categories: Category[],
  opts: { batchSize?: number; concurrency: number; rawRuns: number; workerLog?: string; notifyDelayMs?: number },
  say: (line: string) => void,
): Promise<SizeFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-'));
  try {
    const snapshotDir = join(dir, 'snapshot');
    say(`${users} users: generating the snapshot`);
    await generateSnapshot(snapshotDir, { users, seed: 'bench', corruptRate: 0 });
    return await withScratchCampaigns('bench', async ({ env, client, stores }) => {
      const raw = new Map<Category, RawRuns>();
      const measureRaw = async (side: 'before' | 'after', runs: number) => {
        for (const category of categories) {
          const runsOf = raw.get(category) ?? { records: 0, before: [], after: [] };
          for (let run = 0; run < runs; run++) {
            const { records, seconds } = await rawInsert(stores, snapshotDir, category);
            runsOf.records = records;
            runsOf[side].push(seconds);
          }
          raw.set(category, runsOf);
        }
      };
      // Half the raw runs before the campaign and half after: the machine's pace drifts over a
      // run, and runs on both sides measure the store at the pace the campaign met.
      await measureRaw('before', Math.ceil(opts.rawRuns / 2));
      say(`${users} users: restoring ${categories.join(', ')}`);
      const worker = await startWorkerProcess(env, opts.workerLog);
      const receiver = opts.notifyDelayMs === undefined ? undefined : await slowReceiver(opts.notifyDelayMs);
      let report: CampaignReport;
      /** Seconds from the start at which each wave's last batch ended. */
      let waveEnded: number[];
      let seconds: number;
      let before: ProcessUsage;
      let after: ProcessUsage;
      let counts: CommandCounts;
      try {
        before = await worker.usage();
        const startedAt = Date.now();
        const started = process.hrtime.bigint();
        const campaignId = await startCampaign(client, env, {
          snapshotDir,
          categories,
          batchSize: opts.batchSize,
          concurrency: opts.concurrency,
          ...(receiver ? { notifyUrl: receiver.url } : {}),
        });
        // Not polled meanwhile: the waves' ends are read from the history after (bench/wave-ends.ts).
        report = await client.workflow.getHandle<typeof campaignWorkflow>(campaignWorkflowId(campaignId)).result();
        seconds = Number(process.hrtime.bigint() - started) / 1e9;
        after = await worker.usage();
        if (receiver) say(`${users} users: ${receiver.received()} events delivered when the campaign ended, each answered after ${opts.notifyDelayMs} ms`);
        waveEnded = (await waveEnds(client, campaignId, categories, startedAt)).map((at) => (at - startedAt) / 1000);
      } finally {
        counts = await worker.stop();
        receiver?.close();
      }
      await measureRaw('after', Math.floor(opts.rawRuns / 2));
      const rawSeconds = new Map(categories.map((category) => [category, rawMedian(users, category, raw.get(category)!, say)]));
      const waves = categories.map((category, i) => {
        const records = report.categories[category]!.records.valid;
        return figuresOf(category, users, records, rawSeconds.get(category)!, waveEnded[i] - (i === 0 ? 0 : waveEnded[i - 1]));
      });
      const records = waves.reduce((n, w) => n + w.records, 0);
      const all = figuresOf(
        null,
        users * categories.length,
        records,
        [...rawSeconds.values()].reduce((sum, s) => sum + s, 0),
        seconds,
      );
      return {
        users,
        waves,
        all,
        peakRssMiB: after.peakMiB,
        workerCpuMsPerRecord: Number((((after.cpuSeconds - before.cpuSeconds) * 1000) / records).toFixed(3)),
        commandsPerUserCategory: commandsPer(counts, env.RESTORE_TARGET_DB, users * categories.length),
      };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function line(w: WaveFigures): string {
  return `  ${(w.category ?? 'all').padEnd(9)} ${String(w.records).padStart(8)} records  ratio ${w.ratio.toFixed(3)}  ${w.seconds.toFixed(1).padStart(6)} s (raw ${w.rawSeconds.toFixed(1)} s)  ${w.msPerUserCategory.toFixed(2)} ms per user-category  ${w.msPerRecord.toFixed(3)} ms per record`;
}

async function main() {
  const opts = new Command('bench')
    .option('--sizes <list>', 'user counts to measure', sizesArg, [2000, 20000])
    .option('--categories <list>', 'categories to restore, in one campaign', categoriesArg, [...CATEGORIES])
    .option(
      '--batch-size <n>',
      `users per batch workflow in every wave (default: the campaign's, ${DEFAULT_BATCH_SIZE} a page, small waves several pages)`,
      boundedIntArg(1, MAX_BATCH_SIZE),
    )
    .option('--concurrency <n>', 'batch workflows at once', boundedIntArg(1, MAX_CONCURRENCY), DEFAULT_CONCURRENCY)
    .option(
      '--raw-runs <n>',
      "raw inserts per category, half before the campaign and half after, their median taken: one run's time varies by a third on this stack",
      boundedIntArg(1, 9),
      4,
    )
    .option('--worker-log <file>', "append the worker's log lines to FILE (with LOG_LEVEL=debug, each batch's phases)")
    .option('--notify-delay-ms <n>', 'deliver the events to a local receiver answering each after N ms', boundedIntArg(0, 60_000))
    .option('--json', 'one JSON document on stdout')
    .parse()
    .opts();
  const say = (text: string) => (opts.json ? undefined : process.stderr.write(`${text}\n`));
  // The worker signs deliveries with it; the bench's receiver does not check.
  if (opts.notifyDelayMs !== undefined) process.env.RESTORE_WEBHOOK_SECRET ??= 'the bench receiver checks no signature';
  const categories = CATEGORIES.filter((c) => (opts.categories as Category[]).includes(c));
  const sizes: SizeFigures[] = [];
  for (const users of opts.sizes as number[]) {
    const figures = await measureSize(
      users,
      categories,
      { batchSize: opts.batchSize, concurrency: opts.concurrency, rawRuns: opts.rawRuns, workerLog: opts.workerLog, notifyDelayMs: opts.notifyDelayMs },
      say,
    );
    sizes.push(figures);
    say(`${users} users: ${JSON.stringify(figures)}`);
  }
  const result = {
    batchSize: opts.batchSize ?? 'default',
    concurrency: opts.concurrency,
    sizes,
    /** Time per user-category at the largest size over that at the smallest: 1.0 is a flat cost. */
    costGrowth: sizes.length > 1 ? Number((sizes[sizes.length - 1].all.msPerUserCategory / sizes[0].all.msPerUserCategory).toFixed(2)) : null,
  };
  if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    for (const s of sizes) {
      process.stdout.write(
        `${s.users} users: worker peak ${s.peakRssMiB} MiB, CPU ${s.workerCpuMsPerRecord} ms per record, store commands per user-category ${JSON.stringify(s.commandsPerUserCategory)}\n`,
      );
      for (const w of [...s.waves, s.all]) process.stdout.write(`${line(w)}\n`);
    }
    if (result.costGrowth !== null) process.stdout.write(`cost per user-category, largest over smallest: ${result.costGrowth}x\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
