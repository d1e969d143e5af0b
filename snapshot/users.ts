import { type Category, isCategory } from '../domain/categories';
import { describeIssue, UserLine } from '../domain/record-schemas';
import type { QuarantineReason } from '../domain/line-check';
import { snapshotFiles } from './layout';
import { type LinePosition, readLines } from './line-reader';

export type UserEntry = { number: number; next: LinePosition; user: UserLine } | { number: number; next: LinePosition; user: null; reason: QuarantineReason; raw: string };

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

/** Distinct unknown `expected` keys reported at most, and the length each is cut to: they are typos to show, not data to keep. */
const UNKNOWN_KEYS_REPORTED = 20;
const UNKNOWN_KEY_CHARS = 40;

export interface UserScan {
  /** Each affected user's id, with the number of the line of users.ndjson that stands for it. */
  ids: Map<string, number>;
  bad: BadUserLine[];
  /**
   * Keys of `expected` that name no category (a typo such as `contcts`), with how many
   * users have each: the records they count are not expected of any category, so an
   * operator must hear of them.
   */
  unknownExpectedKeys: Record<string, number>;
  /** Records the users expect, per category, summed over the lines that stand. */
  expected: Partial<Record<Category, number>>;
}

/**
 * Reads the whole of users.ndjson: the ids of every affected user, and the lines that
 * name none: bad ones, and repeats of a user id (the first line of a user stands, so a
 * user is restored once). The ids are held in memory: ~1M is tens of MB, and every
 * category line is checked against them.
 */
export async function scanUsers(dir: string): Promise<UserScan> {
  const firstLine = new Map<string, number>();
  const bad: BadUserLine[] = [];
  const unknownExpectedKeys: Record<string, number> = {};
  const expected: Partial<Record<Category, number>> = {};
  for await (const entry of readUsers(dir)) {
    if (!entry.user) {
      bad.push({ number: entry.number, reason: entry.reason, raw: entry.raw });
      continue;
    }
    for (const key of Object.keys(entry.user.expected).filter((k) => !isCategory(k))) {
      const shown = key.slice(0, UNKNOWN_KEY_CHARS);
      if (shown in unknownExpectedKeys || Object.keys(unknownExpectedKeys).length < UNKNOWN_KEYS_REPORTED) unknownExpectedKeys[shown] = (unknownExpectedKeys[shown] ?? 0) + 1;
    }
    if (firstLine.has(entry.user.userId)) {
      bad.push({
        number: entry.number,
        reason: { code: 'duplicate-conflict', message: `repeats the userId of line ${firstLine.get(entry.user.userId)}` },
        raw: JSON.stringify(entry.user),
      });
    } else {
      firstLine.set(entry.user.userId, entry.number);
      for (const [key, n] of Object.entries(entry.user.expected)) if (isCategory(key)) expected[key] = (expected[key] ?? 0) + n;
    }
  }
  return { ids: firstLine, bad, unknownExpectedKeys, expected };
}
