import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Env } from '../../config/env';

const BIN = join(__dirname, '..', '..', 'bin', 'restorectl');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (bin/restorectl → dist/) as a user would, with the given environment. */
export function cli(args: string[], env: Partial<Env> & NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `restorectl worker` in the background; stop it with `stopWorker`. */
export function startWorker(env: Partial<Env>): ChildProcess {
  return spawn(process.execPath, [BIN, 'worker'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function stopWorker(worker: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    worker.once('close', (code) => resolve(code));
    worker.kill('SIGTERM');
  });
}
