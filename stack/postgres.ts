import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PrerequisiteMissingError } from '../domain/errors';
import { GIN_INDEXES_SQL, GIN_SERVED_SQL } from './gin-indexes';
import { execFileAsync } from './processes';

const POSTGRES_LIBS = '/usr/lib/postgresql';
export const FERRETDB_DATABASE = 'ferretdb';

/** The bin folder of the newest PostgreSQL server installed from Debian's packages. */
export function findPostgresBin(): string {
  const versions = existsSync(POSTGRES_LIBS)
    ? readdirSync(POSTGRES_LIBS)
        .filter((v) => existsSync(join(POSTGRES_LIBS, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new PrerequisiteMissingError('PostgreSQL server is not installed: apt-get install postgresql');
  return join(POSTGRES_LIBS, versions[0], 'bin');
}

/**
 * PostgreSQL refuses to run as root. As root we run its programs as the `postgres`
 * user that Debian's package creates, and hand it the folders it writes.
 */
const asRoot = process.getuid?.() === 0;

async function run(bin: string, program: string, args: string[]): Promise<string> {
  const command = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]] : [join(bin, program), args];
  const { stdout } = await execFileAsync(command[0] as string, command[1] as string[], { cwd: '/' });
  return stdout;
}

/** Runs SQL in the cluster listening on `socketDir`/`port`, in `database` (default: postgres); returns its unaligned output. */
export function psql(bin: string, socketDir: string, port: number, sql: string, database = 'postgres'): Promise<string> {
  return run(bin, 'psql', ['-h', socketDir, '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql]);
}

async function ownedByPostgres(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!asRoot) return;
  const { stdout } = await execFileAsync('id', ['-u', 'postgres']).catch(() => {
    throw new PrerequisiteMissingError('the postgres user is missing: apt-get install postgresql');
  });
  const { stdout: gid } = await execFileAsync('id', ['-g', 'postgres']);
  await chown(dir, Number(stdout.trim()), Number(gid.trim()));
}

/** Initializes the cluster on first use, starts it on `port` (loopback only) and creates FerretDB's database. Returns the pid. */
export async function startPostgres(dataDir: string, socketDir: string, port: number, logFile: string): Promise<number> {
  const bin = findPostgresBin();
  await ownedByPostgres(dirname(dirname(dataDir)));
  await ownedByPostgres(dirname(dataDir));
  await ownedByPostgres(socketDir);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await ownedByPostgres(dataDir);
    await run(bin, 'initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
  }
  await run(bin, 'pg_ctl', [
    '-D',
    dataDir,
    '-l',
    logFile,
    '-w',
    '-t',
    '60',
    'start',
    '-o',
    `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB`,
  ]);
  const databases = await psql(bin, socketDir, port, 'SELECT datname FROM pg_database');
  if (!databases.split('\n').includes(FERRETDB_DATABASE)) {
    await run(bin, 'createdb', ['-h', socketDir, '-p', String(port), '-U', 'postgres', FERRETDB_DATABASE]);
  }
  return postgresPid(dataDir) as Promise<number>;
}

/** Makes FerretDB's indexes serve its queries on this cluster, new or old (see gin-indexes.ts). */
export async function serveIndexesFromGin(socketDir: string, port: number): Promise<void> {
  await psql(findPostgresBin(), socketDir, port, GIN_INDEXES_SQL, FERRETDB_DATABASE);
}

/** True when this cluster serves FerretDB's indexes from GIN indexes without pending lists (serveIndexesFromGin ran on it since). */
export async function servesIndexesFromGin(socketDir: string, port: number): Promise<boolean> {
  return (await psql(findPostgresBin(), socketDir, port, GIN_SERVED_SQL, FERRETDB_DATABASE)).trim() === 't';
}

/** The postmaster's pid, from its pid file, or undefined when the cluster is not running. */
export async function postgresPid(dataDir: string): Promise<number | undefined> {
  try {
    return Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return undefined;
  }
}

/** Stops the cluster in `dataDir` (fast shutdown: open sessions are ended). */
export async function stopPostgres(dataDir: string): Promise<void> {
  await run(findPostgresBin(), 'pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
}

/**
 * FerretDB's connection string. FerretDB 1.24 holds one pooled connection per update
 * statement that matched a document until the whole command ends, and stalls for
 * good once its pool (50 by default) runs dry; a larger pool, with restorectl's
 * small write batches (store/mongo/bulk.ts), keeps it clear of that. Each statement is planned
 * with its parameters (`plan_cache_mode`, passed on as a connection setting): a cached
 * generic plan of `_jsonb->$1 @> $2` can never use an index on `_jsonb->'field'`. And no
 * table is scanned where an index serves the filter (`enable_seqscan=off`): the planner
 * counts a table's own pages, not the out-of-line (TOAST) storage its large documents
 * take, so once a table of a few hundred large documents is analyzed it scans it, reading
 * every document whole to test each (the last wave's reads of its staged pages took 80 ms
 * each, against 9 ms from the index). A filter no index serves is scanned all the same.
 */
export function postgresUrl(port: number): string {
  return `postgres://postgres@127.0.0.1:${port}/${FERRETDB_DATABASE}?pool_max_conns=200&plan_cache_mode=force_custom_plan&enable_seqscan=off`;
}
