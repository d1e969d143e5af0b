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

export interface BadUserLine {
  number: number;
  reason: QuarantineReason;
  raw: string;
}

/**
 * Reads the whole of users.ndjson: the ids of every affected user, and the lines that
 * name none: bad ones, and repeats of a user id (the first line of a user stands, so a
 * user is restored once). The ids are held in memory: ~1M is tens of MB, and every
 * category line is checked against them.
 */
export async function scanUsers(dir: string): Promise<{ ids: Set<string>; bad: BadUserLine[] }> {
  const firstLine = new Map<string, number>();
  const bad: BadUserLine[] = [];
  for await (const entry of readUsers(dir)) {
    if (!entry.user) bad.push({ number: entry.number, reason: entry.reason, raw: entry.raw });
    else if (firstLine.has(entry.user.userId)) {
      bad.push({ number: entry.number, reason: { code: 'duplicate-conflict', message: `repeats the userId of line ${firstLine.get(entry.user.userId)}` }, raw: JSON.stringify(entry.user) });
    } else firstLine.set(entry.user.userId, entry.number);
  }
  return { ids: new Set(firstLine.keys()), bad };
}
