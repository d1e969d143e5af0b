/**
 * Appends values to the list `map` holds under `key`, starting the list when there is none.
 * In place: building a list of n values costs n, where copying it on each append costs n².
 */
export function appendTo<K, V>(map: Map<K, V[]>, key: K, values: readonly V[]): void {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  for (const value of values) list.push(value);
}

/** Sets `value` under `outer`, then `inner`, in a map of maps, starting the inner map when there is none; a later value under the same keys wins. */
export function setIn<A, B, V>(map: Map<A, Map<B, V>>, outer: A, inner: B, value: V): void {
  let nested = map.get(outer);
  if (!nested) map.set(outer, (nested = new Map()));
  nested.set(inner, value);
}
