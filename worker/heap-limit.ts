import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** The V8 flag that bounds the heap's old generation, which holds nearly all of a worker's memory. */
const HEAP_FLAG = '--max-old-space-size';

/**
 * The flag to run this process again with for a heap of `mib` MiB; null when there is
 * nothing to do: `mib` is 0, or the process was started with a heap size of its own
 * (a flag, or NODE_OPTIONS), which is then the operator's choice.
 * Why bound it: V8 sizes the heap from the machine's memory and collects lazily below
 * that, so a worker on a large host held some 550 MiB where 350 MiB served it as fast.
 */
export function heapLimitFlag(execArgv: readonly string[], nodeOptions: string | undefined, mib: number): string | null {
  if (mib === 0 || [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((a) => a.startsWith(HEAP_FLAG))) return null;
  return `${HEAP_FLAG}=${mib}`;
}

/**
 * Runs this command again in a node started with `flag`, passing it SIGINT and SIGTERM,
 * so that it drains and stops as it would have here. Resolves with the exit code to
 * leave with: its own, or 128 plus the number of the signal that ended it.
 */
export function rerunWith(flag: string): Promise<number> {
  const child = spawn(process.execPath, [flag, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  const relay = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', relay);
  process.on('SIGTERM', relay);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', relay);
      process.off('SIGTERM', relay);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}
