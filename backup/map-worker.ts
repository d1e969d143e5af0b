/**
 * A worker thread of the mapping pool ({@link ./map-pool}): maps the runs it is sent with
 * {@link mapRun} and answers each with its lines, owners and problems, or the error that
 * stopped it. Holds nothing between runs.
 */
import { parentPort } from 'node:worker_threads';
import { BackupFormatError } from '../domain/errors';
import { emptyTally, mapRun } from './line-mapper';
import type { MapJob, MapAnswer } from './map-pool';

const encoder = new TextEncoder();

parentPort?.on('message', (job: MapJob) => {
  let answer: MapAnswer;
  const transfer: ArrayBuffer[] = [];
  try {
    const tally = emptyTally();
    const mapped = mapRun({ bytes: job.bytes, offset: job.offset }, job.origin, job.map, tally);
    // As bytes of a buffer of their own, handed over whole: the lines are not copied again on the way to the file.
    const lines = encoder.encode(mapped.lines as string);
    transfer.push(lines.buffer as ArrayBuffer);
    answer = { id: job.id, mapped: { ...mapped, lines }, tally };
  } catch (err) {
    answer = { id: job.id, error: { message: (err as Error).message, format: err instanceof BackupFormatError } };
  }
  parentPort?.postMessage(answer, transfer);
});
