import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { asSnapshotFileError } from './layout';

/** Where to start (or resume) reading an NDJSON file: a byte offset and the number of lines before it. */
export interface LinePosition {
  byte: number;
  line: number;
}

export interface NumberedLine {
  /** 1-based line number in the file. */
  number: number;
  text: string;
  /** The byte offset the line starts at: with `next.byte`, its span in the file (readLinesAt). */
  at: number;
  /** Position just after this line: resuming there reads the next one. */
  next: LinePosition;
}

/** The UTF-8 byte-order mark some tools write at the start of a text file. */
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A line's text: one leading byte-order mark dropped at the start of the file, one trailing CR (CRLF files). */
function lineText(bytes: Buffer, atFileStart: boolean): string {
  const body = atFileStart && bytes.subarray(0, 3).equals(BOM) ? bytes.subarray(3) : bytes;
  return body.toString('utf8').replace(/\r$/, '');
}

/**
 * Reads an NDJSON file line by line from `from`, with each line's number and the
 * position after it, so a crashed reader can resume exactly where it stopped.
 * Blank lines are counted but not yielded. Memory is bounded by the longest line.
 * One byte-order mark at the start of the file is ignored. A file that cannot be read
 * fails with a typed error naming it.
 */
export async function* readLines(path: string, from: LinePosition = { byte: 0, line: 0 }): AsyncGenerator<NumberedLine> {
  try {
    yield* readLinesOf(path, from);
  } catch (err) {
    throw asSnapshotFileError(path, err);
  }
}

async function* readLinesOf(path: string, from: LinePosition = { byte: 0, line: 0 }): AsyncGenerator<NumberedLine> {
  let { byte, line } = from;
  let pending: Buffer[] = [];
  for await (const chunk of createReadStream(path, { start: byte }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      pending.push(chunk.subarray(start, nl));
      const bytes = Buffer.concat(pending);
      const text = lineText(bytes, byte === 0);
      pending = [];
      const at = byte;
      byte += bytes.length + 1;
      line += 1;
      start = nl + 1;
      if (text.trim() !== '') yield { number: line, text, at, next: { byte, line } };
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  const rest = Buffer.concat(pending);
  if (rest.length > 0) {
    const text = lineText(rest, byte === 0);
    if (text.trim() !== '') yield { number: line + 1, text, at: byte, next: { byte: byte + rest.length, line: line + 1 } };
  }
}

/** Where a line sits in its file: from `at` (NumberedLine.at) up to `end` (its `next.byte`), its newline included. */
export interface LineSpan {
  at: number;
  end: number;
}

/** Spans this close are read by one read, the bytes between them read and dropped: cheaper than a read each. */
const GAP_READ_THROUGH = 16 * 1024;
/** A read of several spans stops growing at this many bytes, keeping memory bounded whatever is asked. */
const MAX_READ = 1024 * 1024;

/**
 * The spans as reads: each an extent of the file and the spans (by index) it serves, runs of
 * spans close together in the file merged into one. A batch's lines are mostly consecutive
 * in their file: one read for hundreds, where a read each cost the worker a thread-pool
 * round trip per record (at 20,000 users, some 0.3 s of its CPU in the last wave alone).
 */
function readsOf(spans: LineSpan[]): { at: number; end: number; spans: number[] }[] {
  const order = spans.map((_, i) => i).sort((a, b) => spans[a].at - spans[b].at);
  const reads: { at: number; end: number; spans: number[] }[] = [];
  for (const i of order) {
    const { at, end } = spans[i];
    const last = reads[reads.length - 1];
    if (last && at - last.end <= GAP_READ_THROUGH && Math.max(end, last.end) - last.at <= MAX_READ) {
      last.end = Math.max(end, last.end);
      last.spans.push(i);
    } else reads.push({ at, end, spans: [i] });
  }
  return reads;
}

/**
 * The text of the lines at these spans of a file, as readLines gave them (without the
 * newline, a trailing CR, or a byte-order mark at the start of the file), in the order
 * asked. A file shorter than a span gives what it holds there: the caller, which knows
 * what the line should be, tells. A file that cannot be read fails with a typed error naming it.
 */
export async function readLinesAt(path: string, spans: LineSpan[]): Promise<string[]> {
  try {
    const file = await open(path);
    try {
      const texts: string[] = new Array<string>(spans.length);
      for (const read of readsOf(spans)) {
        const { bytesRead, buffer } = await file.read(Buffer.alloc(read.end - read.at), 0, read.end - read.at, read.at);
        for (const i of read.spans) {
          const { at, end } = spans[i];
          const bytes = buffer.subarray(at - read.at, Math.min(end, read.at + bytesRead) - read.at);
          texts[i] = lineText(bytes[bytes.length - 1] === 0x0a ? bytes.subarray(0, -1) : bytes, at === 0);
        }
      }
      return texts;
    } finally {
      await file.close();
    }
  } catch (err) {
    throw asSnapshotFileError(path, err);
  }
}

/** Lines a pass over a file checks at a time (verify, staging): enough to batch its writes, few enough to heartbeat often. */
export const CHUNK_LINES = 500;

/** Groups an async sequence into arrays of up to `size` items, so work can be batched per round trip. */
export async function* chunked<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}
