import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** The V8 flag that bounds the heap's old generation, which holds nearly all of a worker's memory. */
const HEAP_FLAG = '--max-old-space-size';

/** Set in a worker started by {@link rerunWith}: the pid of the node that started it and waits. */
const PARENT_PID = 'RESTORE_WORKER_PARENT_PID';

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
  // In a process group of its own, so that a terminal's Ctrl-C reaches it once, relayed: the
  // Temporal worker drains on its first signal and leaves a second to node, which exits at once.
  const child = spawn(process.execPath, [flag, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    detached: true,
    env: { ...process.env, [PARENT_PID]: String(process.pid) },
  });
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

/**
 * In a worker started by {@link rerunWith}: stops it, as SIGTERM would, once the node that
 * started it is gone (killed outright, it relayed nothing), so that no worker outlives it
 * to go on taking tasks unwatched. Checks every `everyMs`; the timer keeps nothing alive.
 */
export function stopWithParent(everyMs = 1000): void {
  const parent = Number(process.env[PARENT_PID]);
  if (!parent) return;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, everyMs);
  timer.unref();
}
