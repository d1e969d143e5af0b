import { type Db, MongoClient } from 'mongodb';
import { ConfigError } from '../domain/errors';
import type { Env } from '../config/env';

export interface Stores {
  client: MongoClient;
  /** The live application database: one collection per category, GridFS bucket `photos`. */
  target: Db;
  /** restorectl's own data: campaigns, staged records, quarantine, per-user status. */
  control: Db;
}

/**
 * Connects to the store named by the environment. The caller closes `client`. A URI the
 * driver cannot parse is a {@link ConfigError} naming the variable (exit code 2).
 */
export async function connectStores(env: Pick<Env, 'MONGODB_URI' | 'RESTORE_TARGET_DB' | 'RESTORE_CONTROL_DB'>): Promise<Stores> {
  let client: MongoClient;
  try {
    client = new MongoClient(env.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 });
  } catch (err) {
    // The constructor does no I/O: whatever it throws (the driver's and its URL parser's
    // MongoParseError, a MongoRuntimeError for a bad port) is about the URI.
    throw new ConfigError(`bad environment variable MONGODB_URI: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  await client.connect();
  return { client, target: client.db(env.RESTORE_TARGET_DB), control: client.db(env.RESTORE_CONTROL_DB) };
}
