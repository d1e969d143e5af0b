/**
 * Appends values to the list `map` holds under `key`, starting the list when there is none.
 * In place: building a list of n values costs n, where copying it on each append costs n².
 */
export function appendTo<K, V>(map: Map<K, V[]>, key: K, values: readonly V[]): void {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  for (const value of values) list.push(value);
}
