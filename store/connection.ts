import { type Db, MongoClient } from 'mongodb';
import type { Env } from '../config/env';

export interface Stores {
  client: MongoClient;
  /** The live application database: one collection per category, GridFS bucket `photos`. */
  target: Db;
  /** restorectl's own data: campaigns, staged records, quarantine, per-user status. */
  control: Db;
}

/** Connects to the store named by the environment. The caller closes `client`. */
export async function connectStores(env: Pick<Env, 'MONGODB_URI' | 'RESTORE_TARGET_DB' | 'RESTORE_CONTROL_DB'>): Promise<Stores> {
  const client = await MongoClient.connect(env.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 });
  return { client, target: client.db(env.RESTORE_TARGET_DB), control: client.db(env.RESTORE_CONTROL_DB) };
}
