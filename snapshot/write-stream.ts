import type { Writable } from 'node:stream';

/**
 * Writes `chunk`, waiting for the stream to drain when its buffer is full: memory holds what
 * is written, not a whole file. The stream may keep the chunk until it reaches the file:
 * `flushed` is told when it has, after which its bytes may be reused.
 */
export function writeChunk(stream: Writable, chunk: string | Uint8Array, flushed?: () => void): Promise<void> {
  return stream.write(chunk, flushed) ? Promise.resolve() : new Promise((resolve) => stream.once('drain', () => resolve()));
}

/** Ends the stream, settling once all it was given is written (or with its error). */
export function endStream(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
