import type { Collection, Document } from 'mongodb';

/** A unique index of a live collection that the application declared, beside the record's own keys. */
export interface ApplicationUniqueIndex {
  name: string;
  /** Its key's field paths, in order. */
  fields: string[];
}

/** True for the record's own keys: `_id`, and any unique index on fields of (userId, recordId) alone. */
function isRecordKey(fields: string[]): boolean {
  return fields.every((f) => f === '_id' || f === 'userId' || f === 'recordId');
}

/**
 * The collection's unique indexes other than the record's own keys: those by which the
 * application, not a restore already done, can refuse a record (docs/design.md §4).
 */
export async function applicationUniqueIndexes(collection: Collection): Promise<ApplicationUniqueIndex[]> {
  const indexes = await collection.listIndexes().toArray();
  return indexes
    .filter((ix) => ix.unique === true && typeof ix.name === 'string')
    .map((ix) => ({ name: ix.name as string, fields: Object.keys(ix.key ?? {}) }))
    .filter((ix) => !isRecordKey(ix.fields));
}

/** The value at a dotted path of a document; null where the path is missing, as a unique index keys it. */
function valueAt(doc: Document, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[part];
  }
  return value ?? null;
}

/**
 * The name of the first of `indexes` whose key `doc` shares with a document already in the
 * collection (one other than `doc` itself), or undefined when none does now. One equality
 * query per index: it follows a duplicate-key error, never the common path.
 */
export async function indexTakenBy(collection: Collection, indexes: ApplicationUniqueIndex[], doc: Document & { _id: unknown }): Promise<string | undefined> {
  for (const index of indexes) {
    const filter = Object.fromEntries(index.fields.map((f) => [f, valueAt(doc, f)]));
    const holders = await collection
      .find(filter, { projection: { _id: 1 } })
      .limit(2)
      .toArray();
    if (holders.some((h) => !sameId(h._id, doc._id))) return index.name;
  }
  return undefined;
}

function sameId(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Why the application's index refuses a record, in words for support staff: the index's name, never a value. */
export function refusedByIndex(name: string | undefined): string {
  return name === undefined ? 'a unique index of the application refuses it' : `the application's unique index \`${name}\` refuses it`;
}
