import type { Env } from '../config/env';
import { connectStores, type Stores } from '../store/mongo/connection';
import { type ControlCollections, controlCollections } from '../store/control/control-collections';

/** Runs `fn` with the stores of `env`, closing the connection after. */
export async function withStores<T>(env: Env, fn: (stores: Stores) => Promise<T>): Promise<T> {
  const stores = await connectStores(env);
  try {
    return await fn(stores);
  } finally {
    await stores.client.close();
  }
}

/** Runs `fn` with the control collections, closing the connection after. */
export function withControl<T>(env: Env, fn: (c: ControlCollections) => Promise<T>): Promise<T> {
  return withStores(env, (stores) => fn(controlCollections(stores.control)));
}
