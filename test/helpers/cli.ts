import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

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
