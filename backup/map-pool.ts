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

/** A worker's answer to a job: what the run became, or the error that stopped it (a {@link BackupFormatError} or not). */
export type MapAnswer = { id: number; mapped: MappedRun; tally: ProblemTally; error?: undefined } | { id: number; error: { message: string; format: boolean } };

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
 */
export class MapPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (answer: { mapped: MappedRun; tally: ProblemTally }) => void; reject: (err: Error) => void }>();
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

  /** Maps a run in the next worker; its bytes are copied once, into a buffer the worker takes. */
  map(run: BsonRun, origin: RunOrigin, map: CategoryMap): Promise<{ mapped: MappedRun; tally: ProblemTally }> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.next++;
    const bytes = new Uint8Array(run.bytes);
    const job: MapJob = { id, bytes, offset: run.offset, origin, map };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.workers[id % this.workers.length].postMessage(job, [bytes.buffer]);
    });
  }

  private settle(answer: MapAnswer): void {
    const waiter = this.waiting.get(answer.id);
    if (!waiter) return;
    this.waiting.delete(answer.id);
    if (answer.error) waiter.reject(answer.error.format ? new BackupFormatError(answer.error.message) : new Error(answer.error.message));
    else waiter.resolve({ mapped: answer.mapped, tally: answer.tally });
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
