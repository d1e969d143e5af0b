import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectTemporal, workerPolls } from '../../client/temporal';
import type { Env } from '../../config/env';

const BIN = join(__dirname, '..', '..', 'bin', 'restorectl');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Variables for a child process: an {@link Env} (some of whose values are numbers) or plain strings. */
type ChildEnv = Record<string, string | number | undefined>;

/** The process environment with `env` laid over it, every value a string as a child process takes it. */
function childEnv(env: ChildEnv): NodeJS.ProcessEnv {
  return { ...process.env, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === undefined ? undefined : String(v)])) };
}

/** Runs the built CLI (bin/restorectl → dist/) as a user would, with the given environment. */
export function cli(args: string[], env: ChildEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts a long-running command (`worker`, `serve …`) in the background; stop it with `stopWorker`. */
export function startWorker(env: ChildEnv, args: string[] = ['worker']): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { env: childEnv(env), stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Stops what `startWorker` started, as SIGTERM would stop it in production; answers its exit code. */
export function stopWorker(worker: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    worker.once('close', (code) => resolve(code));
    worker.kill('SIGTERM');
  });
}

/** How long a worker started by a test may take to poll: its workflow bundle and connections, on a busy 2-core machine. */
const WORKER_READY_MS = 60_000;

/**
 * Waits until a worker polls `env`'s task queue, so that a test does not depend on how long
 * the commands before it happened to take. Fails after {@link WORKER_READY_MS}.
 */
export async function untilWorkerPolls(env: Env): Promise<void> {
  const client = await connectTemporal(env);
  try {
    for (const deadline = Date.now() + WORKER_READY_MS; !(await workerPolls(client, env.TEMPORAL_NAMESPACE, env.RESTORE_TASK_QUEUE));) {
      if (Date.now() > deadline) throw new Error(`no worker polled ${env.RESTORE_TASK_QUEUE} within ${WORKER_READY_MS / 1000} s`);
      await sleep(200);
    }
  } finally {
    await client.connection.close();
  }
}
