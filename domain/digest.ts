import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** `value` canonicalized per RFC 8785 (JCS): JSON with sorted keys and one spelling per number. */
export function canonicalJson(value: unknown): string {
  const canonical = canonicalize(value);
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
