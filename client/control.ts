import type { Env } from '../config/env';
import { connectStores } from '../store/connection';
import { type ControlCollections, controlCollections } from '../store/control-collections';

/** Runs `fn` with the control collections, closing the connection after. */
export async function withControl<T>(env: Env, fn: (c: ControlCollections) => Promise<T>): Promise<T> {
  const stores = await connectStores(env);
  try {
    return await fn(controlCollections(stores.control));
  } finally {
    await stores.client.close();
  }
}
