import type { CategoryTraits } from './category-traits';
import { jcsSha256 } from './digest';
import { describeIssue, ID_PATTERN, RecordLine } from './record-schemas';

/** A UTF-16 surrogate that pairs with nothing: not I-JSON (RFC 7493), and encoded to BSON as U+FFFD. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when a key or string anywhere in the value holds a {@link LONE_SURROGATE}. */
function holdsLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([k, v]) => LONE_SURROGATE.test(k) || holdsLoneSurrogate(v));
}

/** Why a line is quarantined; the code is stable, the message names fields, never values. */
export type QuarantineCode =
  | 'invalid-json'
  | 'bad-user-id'
  | 'unknown-user'
  | 'bad-record-id'
  | 'schema'
  | 'digest-mismatch'
  | 'duplicate-conflict'
  | 'blob-missing'
  | 'blob-mismatch'
  | 'blob-not-regular'
  /** Valid by the format, but the store would not keep it (see the message); on MongoDB it may restore. */
  | 'store-refused';

export interface QuarantineReason {
  code: QuarantineCode;
  message: string;
}

/** A line that passed every check that needs no other line: it claims its (userId, recordId). */
export interface ValidLine {
  kind: 'valid';
  userId: string;
  recordId: string;
  record: RecordLine;
  /** Hash of the whole line's canonical form: equal hashes mean an identical repeat. */
  lineHash: string;
}

export interface BadLine {
  kind: 'quarantined';
  reason: QuarantineReason;
  /** Set when the line names a known user: the line then counts as received for them. */
  userId: string | null;
  recordId: string | null;
  /** Set when userId and recordId are well formed: the line still claims that record. */
  lineHash: string | null;
}

export type LineCheck = ValidLine | BadLine;

/**
 * Checks one category line on its own (docs/design.md §3): JSON, ids, known user, schema,
 * digest. Repeats across lines and photo blobs are checked by the caller, which sees
 * the whole file and the blobs. Pure: no I/O, no clock.
 */
export function checkLine(raw: string, traits: Pick<CategoryTraits, 'schema'>, isKnownUser: (userId: string) => boolean): LineCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return bad('invalid-json', 'line is not valid JSON', null, null, null);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return bad('invalid-json', 'line is not a JSON object', null, null, null);
  }
  // Stored, such a string would silently become U+FFFD: a restore that changes the data.
  if (holdsLoneSurrogate(parsed)) {
    return bad('invalid-json', 'line holds an unpaired UTF-16 surrogate escape, which is not I-JSON (RFC 7493) and no store keeps exactly', null, null, null);
  }
  const { userId, recordId } = parsed as Record<string, unknown>;
  if (typeof userId !== 'string' || !ID_PATTERN.test(userId)) {
    return bad('bad-user-id', 'userId: must be 1–128 characters of [A-Za-z0-9._@+-]', null, null, null);
  }
  if (!isKnownUser(userId)) {
    return bad('unknown-user', 'userId is not in users.ndjson', null, null, null);
  }
  if (typeof recordId !== 'string' || !ID_PATTERN.test(recordId)) {
    return bad('bad-record-id', 'recordId: must be 1–128 characters of [A-Za-z0-9._@+-]', userId, null, null);
  }
  const lineHash = jcsSha256(parsed);
  const line = RecordLine.safeParse(parsed);
  if (!line.success) return bad('schema', describeIssue(line.error), userId, recordId, lineHash);
  const data = traits.schema.safeParse(line.data.data);
  if (!data.success) return bad('schema', describeIssue(data.error, 'data'), userId, recordId, lineHash);
  if (jcsSha256(line.data.data) !== line.data.sha256.toLowerCase()) {
    return bad('digest-mismatch', 'sha256 does not match the canonical form of data', userId, recordId, lineHash);
  }
  return { kind: 'valid', userId, recordId, record: line.data, lineHash };
}

function bad(code: QuarantineCode, message: string, userId: string | null, recordId: string | null, lineHash: string | null): BadLine {
  return { kind: 'quarantined', reason: { code, message }, userId, recordId, lineHash };
}
