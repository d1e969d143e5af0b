/**
 * BSON values as the JSON of a snapshot line (docs/design.md §3b): ObjectId → its 24 hex digits;
 * Date → ISO-8601 with `Z` (seconds only when it has no milliseconds, as recovered records
 * write them); Int32, Double and an Int64 within ±(2^53−1) → number; Decimal128 → its decimal
 * string; strings, booleans, arrays and embedded documents as they are, recursively. Any
 * other type is a mapping problem, named by its kind.
 */

/** A value a line cannot hold: kept in its place as this marker, which no category's schema accepts, so the line is quarantined with a reason. */
export const UNMAPPED = 'restorectl:unmapped';

export type Converted = { value: unknown; problem?: undefined } | { problem: string; value?: undefined };

/** The kinds the table of §3b names for BSON types that have a `_bsontype`. */
const PROBLEM_KINDS: Record<string, string> = {
  Binary: 'Binary',
  Timestamp: 'Timestamp',
  BSONRegExp: 'RegExp',
  Code: 'Code',
  MinKey: 'MinKey',
  MaxKey: 'MaxKey',
  DBRef: 'DBPointer',
  BSONSymbol: 'Symbol',
  Symbol: 'Symbol',
};

/** 2^53 − 1: the largest integer a JSON number holds exactly. */
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Two digits of a date's part. */
const twoDigits = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * A Date as ISO-8601 in UTC, without `.000` when it has no milliseconds. Written from the
 * date's parts, three times as fast as `toISOString` and a cut (an import writes a date for
 * nearly every document); the years 0–9999, which toISOString writes with four digits too.
 */
export function isoOf(date: Date): string {
  const year = date.getUTCFullYear();
  const ms = date.getUTCMilliseconds();
  if (year < 0 || year > 9999) {
    const iso = date.toISOString();
    return ms === 0 ? `${iso.slice(0, -5)}Z` : iso;
  }
  const seconds = `${String(year).padStart(4, '0')}-${twoDigits(date.getUTCMonth() + 1)}-${twoDigits(date.getUTCDate())}T${twoDigits(date.getUTCHours())}:${twoDigits(date.getUTCMinutes())}:${twoDigits(date.getUTCSeconds())}`;
  return ms === 0 ? `${seconds}Z` : `${seconds}.${String(ms).padStart(3, '0')}Z`;
}

/** What keeps a BSON value from being JSON: its kind, as the report names it. */
export class Unmappable {
  constructor(readonly kind: string) {}
}

/**
 * The JSON value of a BSON value, or the {@link Unmappable} that keeps it from being one.
 * Within an array or a document, the first problem found is the value's. Arrays and
 * documents that are JSON already are answered as they are, not copied: an import converts
 * every value of every document.
 */
export function convertBson(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : new Unmappable(`Double ${String(value)}`);
  if (typeof value === 'bigint') return value <= SAFE && value >= -SAFE ? Number(value) : new Unmappable('Int64 beyond ±(2^53−1)');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? new Unmappable('Date out of range') : isoOf(value);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = convertBson(value[i]);
      if (item instanceof Unmappable) return item;
      if (out) out.push(item);
      else if (item !== value[i]) (out = value.slice(0, i)).push(item);
    }
    return out ?? value;
  }
  if (typeof value === 'object') {
    const type = (value as { _bsontype?: string })._bsontype;
    if (type === 'ObjectId' || type === 'ObjectID') return (value as { toHexString(): string }).toHexString();
    if (type === 'Decimal128') return String(value);
    if (type === 'Int32' || type === 'Double') return convertBson((value as { valueOf(): number }).valueOf());
    if (type === 'Long') return convertBson((value as { toBigInt(): bigint }).toBigInt());
    if (type !== undefined) return new Unmappable(PROBLEM_KINDS[type] ?? type);
    const doc = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const key in doc) {
      const original = doc[key];
      const item = original === undefined ? undefined : convertBson(original);
      if (item instanceof Unmappable) return item;
      if (!out && item !== original) {
        out = {};
        for (const earlier in doc) {
          if (earlier === key) break;
          out[earlier] = doc[earlier];
        }
      }
      if (out && item !== undefined) out[key] = item;
    }
    return out ?? doc;
  }
  // BSON's Undefined comes through as undefined: the field is absent.
  return undefined;
}

/** {@link convertBson}'s answer as a value or a problem. */
export function jsonOf(value: unknown): Converted {
  const converted = convertBson(value);
  return converted instanceof Unmappable ? { problem: converted.kind } : { value: converted };
}

/** Paths split into their steps, once each: an import reads the same few paths of every document. */
const STEPS = new Map<string, string[]>();

/** The value at a dotted path of a document; undefined where a step is missing, null or not a document. */
export function valueAtPath(doc: unknown, path: string): unknown {
  let steps = STEPS.get(path);
  if (!steps) STEPS.set(path, (steps = path.split('.')));
  let value = doc;
  for (const part of steps) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
