import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BackupFormatError } from '../domain/errors';
import type { BsonRun, RunOrigin } from './bson-stream';
import type { CategoryMap } from './import-map';
import type { MappedRun, ProblemTally } from './line-mapper';

/** A run sent to a worker: its bytes are the worker's (transferred, not copied twice). */
export interface MapJob {
  id: number;
  bytes: Uint8Array;
  offset: number | null;
  origin: RunOrigin;
  map: CategoryMap;
}

/** What the pool sends a worker: a run to map, or a buffer of lines it wrote before, to write lines into again. */
export type ToWorker = { job: MapJob } | { spare: ArrayBuffer };

/**
 * A worker's answer to a job: what the run became, with the job's buffer handed back for the
 * next run, or the error that stopped it (a {@link BackupFormatError} or not).
 */
export type MapAnswer =
  { id: number; mapped: MappedRun; tally: ProblemTally; runBuffer: ArrayBuffer; error?: undefined } | { id: number; error: { message: string; format: boolean } };

/** What a run became, as the pool answers it; `giveBack` hands its lines' buffer back to the worker, once they are written. */
export interface MappedAnswer {
  mapped: MappedRun;
  tally: ProblemTally;
  giveBack: () => void;
}

/** The compiled worker; absent when the code runs from its TypeScript sources (ts-jest), where imports map in their own thread. */
const WORKER_SCRIPT = join(__dirname, 'map-worker.js');

/** The most workers an import starts by default: mapping a run is short, and the reading and writing stay in one thread. */
const MAX_DEFAULT_WORKERS = 4;

/** Worker threads an import maps with when not told: one per core, up to 4; none where the compiled worker is absent. */
export function defaultMapWorkers(): number {
  return existsSync(WORKER_SCRIPT) ? Math.min(MAX_DEFAULT_WORKERS, availableParallelism()) : 0;
}

/**
 * Worker threads that map runs of BSON documents into lines side by side ({@link mapRun}),
 * each answer a promise, so that the caller writes them in the order it sent them. A worker
 * that dies fails every run waiting on it and the pool.
 *
 * Buffers go round, not one way: a run's bytes come back with its answer, to copy a later run
 * into, and its lines go back once written. A buffer handed over counts in the memory of the
 * thread that holds it, and this thread allocates little else, so buffers that only arrived
 * here would pile up until its collector ran: about 100 MiB, measured.
 */
export class MapPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (answer: MappedAnswer) => void; reject: (err: Error) => void; worker: Worker }>();
  /** Buffers of runs the workers are done with. */
  private readonly spareRuns: ArrayBuffer[] = [];
  private next = 0;
  private broken: Error | undefined;

  constructor(size: number) {
    if (!existsSync(WORKER_SCRIPT)) throw new Error(`the mapping worker ${WORKER_SCRIPT} is missing: build the project (npm run build) or map in one thread`);
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(WORKER_SCRIPT);
      worker.on('message', (answer: MapAnswer) => this.settle(answer));
      worker.on('error', (err) => this.fail(new Error(`a mapping worker failed: ${err.message}`)));
      worker.on('exit', (code) => code !== 0 && this.fail(new Error(`a mapping worker stopped (exit ${code})`)));
      return worker;
    });
  }

  /** Maps a run in the next worker; its bytes are copied once, into a buffer the worker takes (one it gave back, where one is large enough). */
  map(run: BsonRun, origin: RunOrigin, map: CategoryMap): Promise<MappedAnswer> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.next++;
    const spare = this.spareRuns.findIndex((b) => b.byteLength >= run.bytes.length);
    const bytes = spare < 0 ? new Uint8Array(run.bytes) : new Uint8Array(this.spareRuns.splice(spare, 1)[0], 0, run.bytes.length);
    if (spare >= 0) bytes.set(run.bytes);
    const job: MapJob = { id, bytes, offset: run.offset, origin, map };
    const worker = this.workers[id % this.workers.length];
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, worker });
      worker.postMessage({ job } satisfies ToWorker, [bytes.buffer as ArrayBuffer]);
    });
  }

  private settle(answer: MapAnswer): void {
    const waiter = this.waiting.get(answer.id);
    if (!waiter) return;
    this.waiting.delete(answer.id);
    if (answer.error) {
      waiter.reject(answer.error.format ? new BackupFormatError(answer.error.message) : new Error(answer.error.message));
      return;
    }
    if (this.spareRuns.length < 2 * this.workers.length) this.spareRuns.push(answer.runBuffer);
    const lines = answer.mapped.lines.buffer as ArrayBuffer;
    const giveBack = () => {
      if (!this.broken && lines.byteLength > 0) waiter.worker.postMessage({ spare: lines } satisfies ToWorker, [lines]);
    };
    waiter.resolve({ mapped: answer.mapped, tally: answer.tally, giveBack });
  }

  private fail(err: Error): void {
    this.broken ??= err;
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }

  /** Stops the workers; a run still waiting fails. */
  async close(): Promise<void> {
    this.broken ??= new Error('the mapping pool is closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
