/**
 * A worker thread of the mapping pool ({@link ./map-pool}): maps the runs it is sent with
 * {@link mapRun} and answers each with its lines, owners and problems, or the error that
 * stopped it. Holds nothing between runs but the buffers given back to write lines into.
 */
import { parentPort } from 'node:worker_threads';
import { BackupFormatError } from '../domain/errors';
import { emptyTally, mapRun } from './line-mapper';
import type { MapAnswer, ToWorker } from './map-pool';

/** Buffers of lines the pool has written and given back: as many as runs may be in flight here. */
const spares: ArrayBuffer[] = [];
const MAX_SPARES = 2;

parentPort?.on('message', (message: ToWorker) => {
  if ('spare' in message) {
    if (spares.length < MAX_SPARES) spares.push(message.spare);
    return;
  }
  const { job } = message;
  let answer: MapAnswer;
  const transfer: ArrayBuffer[] = [];
  try {
    const tally = emptyTally();
    const mapped = mapRun({ bytes: job.bytes, offset: job.offset }, job.origin, job.map, tally, spares.pop());
    // Handed over whole, not copied: the lines on their way to the file, the run's bytes for the next run.
    const runBuffer = job.bytes.buffer as ArrayBuffer;
    transfer.push(mapped.lines.buffer as ArrayBuffer, runBuffer);
    answer = { id: job.id, mapped, tally, runBuffer };
  } catch (err) {
    answer = { id: job.id, error: { message: (err as Error).message, format: err instanceof BackupFormatError } };
  }
  parentPort?.postMessage(answer, transfer);
});
