import { SingleBar } from 'cli-progress';
import type { OutputOptions } from './output';

export interface Progress {
  update(value: number, total?: number): void;
  stop(): void;
}

/** A progress bar on stderr for long work; nothing with --json or when stderr is not a terminal. */
export function progressBar(options: OutputOptions, label: string, total: number): Progress {
  if (options.json || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ stream: process.stderr, format: `${label} [{bar}] {value}/{total} {percentage}% | {eta_formatted} left`, hideCursor: true });
  bar.start(total, 0);
  return {
    update: (value, newTotal) => {
      if (newTotal !== undefined) bar.setTotal(newTotal);
      bar.update(value);
    },
    stop: () => bar.stop(),
  };
}
