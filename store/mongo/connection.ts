import { type Db, MongoClient } from 'mongodb';
import { ConfigError, StoreUnavailableError } from '../../domain/errors';
import { isStoreUnavailable } from './store-errors';
import type { Env } from '../../config/env';

export interface Stores {
  client: MongoClient;
  /** The live application database: one collection per category, GridFS bucket `photos`. */
  target: Db;
  /** restorectl's own data: campaigns, staged records, quarantine, per-user status. */
  control: Db;
  /**
   * The commands sent so far, by `database.command` (`app.insert`, `restore.find`): what a
   * campaign costs the store, counted where it is spent. The worker logs them as it stops.
   */
  commands: Record<string, number>;
}

/** How long an operation waits for a server to take it: a store that does not answer is said so within seconds, and waited out by retries. */
const SERVER_SELECTION_MS = 5_000;

/** The URI as it may be shown: without a user name or password. */
export function withoutCredentials(uri: string): string {
  return uri.replace(/^(mongodb(\+srv)?:\/\/)[^@/]*@/, '$1…@');
}

/**
 * Connects to the store named by the environment. The caller closes `client`. A URI the
 * driver cannot parse is a {@link ConfigError} naming the variable (exit code 2); a store that
 * does not answer, a {@link StoreUnavailableError} naming it and what to do (exit code 1).
 */
export async function connectStores(env: Pick<Env, 'MONGODB_URI' | 'RESTORE_TARGET_DB' | 'RESTORE_CONTROL_DB'>): Promise<Stores> {
  let client: MongoClient;
  try {
    client = new MongoClient(env.MONGODB_URI, { serverSelectionTimeoutMS: SERVER_SELECTION_MS, monitorCommands: true });
  } catch (err) {
    // The constructor does no I/O: whatever it throws (the driver's and its URL parser's
    // MongoParseError, a MongoRuntimeError for a bad port) is about the URI.
    throw new ConfigError(`bad environment variable MONGODB_URI: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  await client.connect().catch(async (err: unknown) => {
    await client.close().catch(() => undefined);
    if (!isStoreUnavailable(err)) throw err;
    throw new StoreUnavailableError(
      `the store does not answer at MONGODB_URI=${withoutCredentials(env.MONGODB_URI)}: start the local stack (restorectl stack up), or set MONGODB_URI to your MongoDB`,
      { cause: err },
    );
  });
  const commands: Record<string, number> = {};
  client.on('commandStarted', ({ databaseName, commandName }) => {
    const key = `${databaseName}.${commandName}`;
    commands[key] = (commands[key] ?? 0) + 1;
  });
  return { client, target: client.db(env.RESTORE_TARGET_DB), control: client.db(env.RESTORE_CONTROL_DB), commands };
}

/** The version of the store's server, as buildInfo reports it; FerretDB adds its own, after the MongoDB version it speaks. */
export async function storeServerVersion(stores: Stores): Promise<string> {
  const info = await stores.client.db('admin').command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string' ? `${String(info.version)} (FerretDB ${info.ferretdbVersion})` : String(info.version);
}
