import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { InputError } from '../domain/errors';
import { stackPaths } from './layout';
import { postgresPid, postgresUrl, serveIndexesFromGin, servesIndexesFromGin, startPostgres, stopPostgres } from './postgres';
import { isAlive, portAnswers, spawnDetached, stopProcess, waitFor } from './processes';
import { ensureFerretdb, ensureTemporalCli } from './tools';
import { registerSearchAttributes } from './search-attributes';

export const STORE_BACKENDS = ['postgresql', 'sqlite'] as const;
export type StoreBackend = (typeof STORE_BACKENDS)[number];

export interface StackOptions {
  dataDir: string;
  temporalPort: number;
  temporalUiPort: number;
  mongoPort: number;
  postgresPort: number;
  backend: StoreBackend;
}

export const SERVICES = ['postgres', 'ferretdb', 'temporal'] as const;
export type Service = (typeof SERVICES)[number];

/** What `up` started, kept in the data folder so that `down` stops exactly that. */
interface StackState {
  options: StackOptions;
  pids: Partial<Record<Service, number>>;
}

export interface ServiceStatus {
  service: Service;
  pid: number | null;
  running: boolean;
  port: number;
  answers: boolean;
}

type Say = (line: string) => void;

/** The environment a worker or CLI needs to use this stack. */
export function stackEnv(options: StackOptions) {
  return {
    TEMPORAL_ADDRESS: `127.0.0.1:${options.temporalPort}`,
    MONGODB_URI: `mongodb://127.0.0.1:${options.mongoPort}/`,
  };
}

async function readState(dataDir: string): Promise<StackState | null> {
  const file = stackPaths(dataDir).state;
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as StackState) : null;
}

async function writeState(state: StackState): Promise<void> {
  await writeFile(stackPaths(state.options.dataDir).state, `${JSON.stringify(state, null, 2)}\n`);
}

function servicePort(service: Service, options: StackOptions): number {
  return { postgres: options.postgresPort, ferretdb: options.mongoPort, temporal: options.temporalPort }[service];
}

function usedServices(options: StackOptions): Service[] {
  return SERVICES.filter((s) => s !== 'postgres' || options.backend === 'postgresql');
}

async function mongoAnswers(port: number): Promise<boolean> {
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/`, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

async function temporalAnswers(port: number): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 1000 });
    await connection.workflowService.describeNamespace({ namespace: 'default' });
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close();
  }
}

async function answers(service: Service, port: number): Promise<boolean> {
  if (service === 'ferretdb') return mongoAnswers(port);
  if (service === 'temporal') return temporalAnswers(port);
  return portAnswers(port);
}

async function assertPortFree(service: Service, port: number): Promise<void> {
  if (await portAnswers(port)) {
    throw new InputError(`port ${port} for ${service} is taken by a program this stack did not start: choose another port`);
  }
}

/** Answers the readiness poll, failing at once, with where to look, if the process died. */
async function aliveAndAnswering(service: Service, pid: number | undefined, options: StackOptions): Promise<boolean> {
  if (!isAlive(pid)) throw new Error(`${service} exited while starting: see ${join(stackPaths(options.dataDir).logs, `${service}.log`)}`);
  return answers(service, servicePort(service, options));
}

/**
 * Starts what is not running yet and returns the options in force. Harmless when the
 * stack is already up: running services are kept, and so are the options they run with.
 */
export async function stackUp(requested: StackOptions, say: Say): Promise<StackOptions> {
  const previous = await readState(requested.dataDir);
  const running = previous && Object.values(previous.pids).some((pid) => isAlive(pid));
  const options = running ? previous.options : requested;
  if (running) say(`stack in ${options.dataDir} is already (partly) up; keeping its ports`);
  const paths = stackPaths(options.dataDir);
  await mkdir(paths.logs, { recursive: true });
  const temporal = await ensureTemporalCli(say);
  const ferretdb = await ensureFerretdb(say);
  const state: StackState = { options, pids: running ? { ...previous.pids } : {} };

  if (options.backend === 'postgresql') {
    const pid = await postgresPid(paths.postgres);
    if (isAlive(pid)) state.pids.postgres = pid;
    else {
      await assertPortFree('postgres', options.postgresPort);
      say(`starting PostgreSQL on 127.0.0.1:${options.postgresPort}`);
      state.pids.postgres = await startPostgres(paths.postgres, paths.postgresSockets, options.postgresPort, paths.postgresLog);
    }
    await serveIndexesFromGin(paths.postgresSockets, options.postgresPort);
  }
  await writeState(state);

  if (!isAlive(state.pids.ferretdb)) {
    await assertPortFree('ferretdb', options.mongoPort);
    say(`starting FerretDB (${options.backend}) on 127.0.0.1:${options.mongoPort}`);
    const backendArgs =
      options.backend === 'postgresql'
        ? ['--handler', 'postgresql', '--postgresql-url', postgresUrl(options.postgresPort)]
        : ['--handler', 'sqlite', '--sqlite-url', `file:${paths.sqlite}/`];
    if (options.backend === 'sqlite') await mkdir(paths.sqlite, { recursive: true });
    state.pids.ferretdb = spawnDetached(ferretdb, ['--listen-addr', `127.0.0.1:${options.mongoPort}`, ...backendArgs], join(paths.logs, 'ferretdb.log'));
    await writeState(state);
  }

  if (!isAlive(state.pids.temporal)) {
    await assertPortFree('temporal', options.temporalPort);
    say(`starting the Temporal dev server on 127.0.0.1:${options.temporalPort} (UI on :${options.temporalUiPort})`);
    await mkdir(join(options.dataDir, 'temporal'), { recursive: true });
    state.pids.temporal = spawnDetached(
      temporal,
      [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(options.temporalPort),
        '--ui-port',
        String(options.temporalUiPort),
        '--db-filename',
        paths.temporalDb,
        // Without WAL the dev server's SQLite store fsyncs every write and is slow.
        '--sqlite-pragma',
        'journal_mode=wal',
        '--sqlite-pragma',
        'synchronous=normal',
        '--log-level',
        'warn',
      ],
      join(paths.logs, 'temporal.log'),
    );
    await writeState(state);
  }

  await waitFor('FerretDB', () => aliveAndAnswering('ferretdb', state.pids.ferretdb, options), 60_000);
  await waitFor('the Temporal dev server', () => aliveAndAnswering('temporal', state.pids.temporal, options), 120_000);
  // What engineers find a campaign's workflows by.
  const connection = await Connection.connect({ address: `127.0.0.1:${options.temporalPort}` });
  try {
    await registerSearchAttributes(connection, 'default');
  } finally {
    await connection.close();
  }
  return options;
}

/** Stops what `up` started in this data folder, and nothing else. Data stays. */
export async function stackDown(dataDir: string, say: Say): Promise<void> {
  const state = await readState(dataDir);
  if (!state) {
    say(`no stack was started in ${dataDir}`);
    return;
  }
  const paths = stackPaths(dataDir);
  for (const service of [...SERVICES].reverse()) {
    // PostgreSQL's own pid file names the running server, even one restarted since `up`.
    const pid = service === 'postgres' ? await postgresPid(paths.postgres) : state.pids[service];
    if (!isAlive(pid)) continue;
    say(`stopping ${service} (pid ${pid})`);
    if (service === 'postgres') await stopPostgres(paths.postgres);
    else await stopProcess(pid!);
  }
  state.pids = {};
  await writeState(state);
}

/**
 * What runs where, and whether it answers; on PostgreSQL, whether FerretDB's indexes are
 * served from GIN indexes (null where that does not apply or cannot be asked).
 */
export async function stackStatus(dataDir: string): Promise<{ options: StackOptions | null; services: ServiceStatus[]; indexesServed: boolean | null }> {
  const state = await readState(dataDir);
  if (!state) return { options: null, services: [], indexesServed: null };
  const paths = stackPaths(dataDir);
  const services = await Promise.all(
    usedServices(state.options).map(async (service): Promise<ServiceStatus> => {
      const pid = service === 'postgres' ? await postgresPid(paths.postgres) : state.pids[service];
      const port = servicePort(service, state.options);
      const running = isAlive(pid);
      return { service, pid: running ? pid! : null, running, port, answers: running && (await answers(service, port)) };
    }),
  );
  const postgres = services.find((s) => s.service === 'postgres');
  const indexesServed = postgres?.answers ? await servesIndexesFromGin(paths.postgresSockets, postgres.port).catch(() => null) : null;
  return { options: state.options, services, indexesServed };
}
