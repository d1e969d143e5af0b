import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** Hex SHA-256 of the UTF-8 bytes of `value` canonicalized per RFC 8785 (JCS). */
export function jcsSha256(value: unknown): string {
  const canonical = canonicalize(value);
  if (canonical === undefined) throw new TypeError('value has no JSON form');
  return sha256Hex(canonical);
}

/** Hex SHA-256 of a string's UTF-8 bytes, or of raw bytes. */
export function sha256Hex(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
