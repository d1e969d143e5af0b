import { userInfo } from 'node:os';
import { connectTemporal } from '../client/temporal';
import type { Env } from '../config/env';
import type { Actor } from '../store/control/audit-log';
import { connectStores } from '../store/mongo/connection';
import { controlCollections } from '../store/control/control-collections';
import type { OperationDeps } from './commands';

/** Runs `fn` with Temporal and both databases of `env`, closing them after: one CLI command's connections. */
export async function withOperations<T>(env: Env, fn: (deps: OperationDeps) => Promise<T>): Promise<T> {
  const client = await connectTemporal(env);
  try {
    const stores = await connectStores(env);
    try {
      return await fn({ env, client, stores, c: controlCollections(stores.control) });
    } finally {
      await stores.client.close();
    }
  } finally {
    await client.connection.close();
  }
}

/** The operator at this terminal, as the audit log names them. */
export function localActor(): Actor {
  return { name: userInfo().username, via: 'cli' };
}
