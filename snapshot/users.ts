import { describeIssue, UserLine } from '../domain/record-schemas';
import type { QuarantineReason } from '../domain/line-check';
import { snapshotFiles } from './layout';
import { type LinePosition, readLines } from './line-reader';

export type UserEntry =
  | { number: number; next: LinePosition; user: UserLine }
  | { number: number; next: LinePosition; user: null; reason: QuarantineReason; raw: string };

/** Reads users.ndjson from `from`, checking each line; a bad line comes back with its reason. */
export async function* readUsers(dir: string, from?: LinePosition): AsyncGenerator<UserEntry> {
  for await (const { number, text, next } of readLines(snapshotFiles.users(dir), from)) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      yield { number, next, user: null, reason: { code: 'invalid-json', message: 'line is not valid JSON' }, raw: text };
      continue;
    }
    const parsed = UserLine.safeParse(json);
    if (parsed.success) yield { number, next, user: parsed.data };
    else yield { number, next, user: null, reason: { code: 'schema', message: describeIssue(parsed.error) }, raw: text };
  }
}

/**
 * The ids of every affected user. Held in memory: ~1M ids is tens of MB, and every
 * category line must be checked against it.
 */
export async function loadUserIds(dir: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const entry of readUsers(dir)) if (entry.user) ids.add(entry.user.userId);
  return ids;
}
