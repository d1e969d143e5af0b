import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** Thrown inside {@link plainCanonical} at a value that is not plain JSON: the `canonicalize` package writes it instead. */
class NotPlainJson extends Error {}

/** Keys as they are written, `"key":`, kept for the few keys records repeat (bounded, so that odd data cannot grow it). */
const QUOTED_KEYS = new Map<string, string>();
const MAX_QUOTED_KEYS = 4096;

function quotedKey(key: string): string {
  let quoted = QUOTED_KEYS.get(key);
  if (quoted === undefined) {
    quoted = `${JSON.stringify(key)}:`;
    if (QUOTED_KEYS.size < MAX_QUOTED_KEYS) QUOTED_KEYS.set(key, quoted);
  }
  return quoted;
}

/**
 * The RFC 8785 text of a plain JSON value: keys sorted by UTF-16 code units (as `Array.sort`
 * compares, whatever order JavaScript lists them in), strings and numbers spelled as
 * ECMAScript's JSON.stringify spells them, as the RFC says. Throws {@link NotPlainJson} at
 * anything else: a non-finite number, a Date or other object with a prototype, a bigint.
 */
function plainCanonical(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotPlainJson();
    return JSON.stringify(value);
  }
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value !== 'object') throw new NotPlainJson();
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += `${i === 0 ? '' : ','}${value[i] === undefined ? 'null' : plainCanonical(value[i])}`;
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new NotPlainJson();
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  for (const key of keys) {
    const item = object[key];
    if (item !== undefined) out += `${out.length === 1 ? '' : ','}${quotedKey(key)}${plainCanonical(item)}`;
  }
  return `${out}}`;
}

/**
 * `value` canonicalized per RFC 8785 (JCS): JSON with sorted keys and one spelling per number.
 * Plain JSON (every record) is written here, about twice as fast as the `canonicalize`
 * package, which writes anything else and is the reference the tests compare with: a digest
 * per record line is the hot path of staging and import. Throws a TypeError for a value with
 * no JSON form and an Error for NaN or an infinity, as `canonicalize` does.
 */
export function canonicalJson(value: unknown): string {
  let canonical: string | undefined;
  try {
    canonical = plainCanonical(value);
  } catch (err) {
    if (!(err instanceof NotPlainJson)) throw err;
    canonical = canonicalize(value);
  }
  if (canonical === undefined) throw new TypeError('value has no JSON form');
  return canonical;
}

/** Hex SHA-256 of the UTF-8 bytes of `value` canonicalized per RFC 8785 (JCS). */
export function jcsSha256(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/** Hex SHA-256 of a string's UTF-8 bytes, or of raw bytes (one-shot: a digest per record line is the hot path of staging and import). */
export function sha256Hex(bytes: string | Uint8Array): string {
  return hash('sha256', bytes, 'hex');
}
