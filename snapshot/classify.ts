import type { CategoryTraits } from '../domain/category-traits';
import { appendTo } from '../domain/maps';
import { checkLine, type LineCheck, type BadLine, type QuarantineReason, type ValidLine } from '../domain/line-check';
import type { RecordLine } from '../domain/record-schemas';
import { checkBlob } from './blobs';
import type { NumberedLine } from './line-reader';
import type { StagedLine } from './read-back';

/**
 * A line that claims its (userId, recordId) key, valid or not, as the rules that span lines
 * need it: its key, the hash of its content, and what the checks of the line alone made of it.
 */
export interface ClaimEntry {
  line: number;
  userId: string;
  recordId: string;
  lineHash: string;
  /** Why the line was quarantined on its own; null when it is valid. */
  reason: QuarantineReason | null;
  /** Why the store would not keep the record, when it would not (the line is then quarantined `store-refused`). */
  refused?: string;
}

/** What became of a claiming line once the lines before it are known. */
export type ClaimVerdict = { kind: 'valid' } | { kind: 'ignored' } | { kind: 'quarantined'; reason: QuarantineReason };

export type LineOutcome =
  | { kind: 'valid'; line: number; record: RecordLine }
  | { kind: 'quarantined'; line: number; raw: string; userId: string | null; recordId: string | null; reason: QuarantineReason }
  | { kind: 'ignored'; line: number };

/** A key for (userId, recordId) that no two pairs share (ids cannot hold U+0000). */
function recordKey(userId: string, recordId: string): string {
  return `${userId}\u0000${recordId}`;
}

/** A line after the checks that need no other line: what {@link FirstLines} then judges against the lines before it. */
export interface CheckedLine {
  number: number;
  text: string;
  check: LineCheck;
}

/** Whether a line naming this user is judged, given `keep` (checkLines): every line without it, else only lines of users it keeps. */
export function keptBy(keep?: (userId: string) => boolean): (userId: string | null) => boolean {
  return (userId) => !keep || (userId !== null && keep(userId));
}

/**
 * The checks of docs/design.md §3 that need no other line, on a run of consecutive lines of one
 * category file: the line itself, and its blob for a category whose records name one.
 * `onBlobRead` is called as blob bytes are read, for a caller to heartbeat. With `keep`,
 * only the blobs of the users it keeps are read ({@link keptBy}); the caller passes the others over.
 */
export async function checkLines(
  lines: NumberedLine[],
  traits: CategoryTraits,
  snapshotDir: string,
  isKnownUser: (userId: string) => boolean,
  onBlobRead?: () => void,
  keep?: (userId: string) => boolean,
): Promise<CheckedLine[]> {
  const kept = keptBy(keep);
  return Promise.all(
    lines.map(async ({ number, text }): Promise<CheckedLine> => {
      const check = checkLine(text, traits, isKnownUser);
      if (check.kind === 'valid' && traits.blob && kept(check.userId)) {
        const reason = await checkBlob(snapshotDir, traits.blob, check.record.data, onBlobRead);
        if (reason) return { number, text, check: { ...check, kind: 'quarantined', reason } };
      }
      return { number, text, check };
    }),
  );
}

/**
 * Who claimed each (userId, recordId) first, in memory: judges claiming lines, given in
 * file order, against the lines before them. The first line of a key stands (quarantined
 * when it is bad on its own or the store refuses it); a repeat with the same content is
 * ignored, one with other content quarantined. Judging a line again (a resumed run)
 * answers as the first time.
 */
export class FirstLines {
  private readonly firsts = new Map<string, { line: number; lineHash: string }>();

  judge(entry: ClaimEntry): ClaimVerdict {
    const key = recordKey(entry.userId, entry.recordId);
    const first = this.firsts.get(key);
    if (first && first.line !== entry.line) {
      if (first.lineHash === entry.lineHash) return { kind: 'ignored' };
      return { kind: 'quarantined', reason: { code: 'duplicate-conflict', message: `repeats the userId and recordId of line ${first.line} with different content` } };
    }
    this.firsts.set(key, { line: entry.line, lineHash: entry.lineHash });
    if (entry.reason) return { kind: 'quarantined', reason: entry.reason };
    if (entry.refused) return { kind: 'quarantined', reason: { code: 'store-refused', message: entry.refused } };
    return { kind: 'valid' };
  }
}

/** The claim a checked line makes; null when it names no key to claim (it is then judged on its own). */
export function claimOf({ number, check }: CheckedLine): ClaimEntry | null {
  if (check.lineHash === null || check.recordId === null || check.userId === null) return null;
  return { line: number, userId: check.userId, recordId: check.recordId, lineHash: check.lineHash, reason: check.kind === 'valid' ? null : check.reason };
}

/**
 * Classifies a run of lines by every rule of docs/design.md §3: {@link checkLines}, then each
 * claiming line judged by `firstLines`, which carries the lines before the run.
 */
export async function classifyLines(
  lines: NumberedLine[],
  traits: CategoryTraits,
  snapshotDir: string,
  isKnownUser: (userId: string) => boolean,
  firstLines: FirstLines,
  onBlobRead?: () => void,
): Promise<LineOutcome[]> {
  const checked = await checkLines(lines, traits, snapshotDir, isKnownUser, onBlobRead);
  return checked.map((line): LineOutcome => {
    const { number, text, check } = line;
    const claim = claimOf(line);
    // A line that claims no key is bad on its own (a valid line always claims).
    const verdict: ClaimVerdict = claim ? firstLines.judge(claim) : { kind: 'quarantined', reason: (check as BadLine).reason };
    if (verdict.kind === 'ignored') return { kind: 'ignored', line: number };
    if (verdict.kind === 'quarantined') return { kind: 'quarantined', line: number, raw: text, userId: check.userId, recordId: check.recordId, reason: verdict.reason };
    return { kind: 'valid', line: number, record: (check as ValidLine).record };
  });
}

/**
 * A claiming line as staging's first pass found it (activities/staging.ts): its claim,
 * where it lies in the file (`at` to `end`), and the hash of its text.
 */
export interface ChunkEntry extends ClaimEntry {
  at: number;
  end: number;
  /** The line's textHash (snapshot/read-back.ts), which its place is kept with when it stands. */
  textHash: string;
}

/** What judging a group's lines made of them (judgeGroup). */
export interface JudgedGroup {
  /** Per user, the places of its standing valid lines, in file order. */
  standing: Map<string, StagedLine[]>;
  /** The lines quarantined, with why: bad on their own, refused by the store, or conflicting repeats. */
  bad: { entry: ChunkEntry; reason: QuarantineReason }[];
  /** Identical repeats. */
  ignored: number;
}

/**
 * Judges the claiming lines of a group of users, in file order, by the rules that span lines
 * ({@link FirstLines}). Every line of a user is in its user's group, so a group judged alone
 * is judged against the whole file. Pure.
 */
export function judgeGroup(entries: ChunkEntry[]): JudgedGroup {
  const firstLines = new FirstLines();
  const judged: JudgedGroup = { standing: new Map(), bad: [], ignored: 0 };
  for (const entry of entries) {
    const verdict = firstLines.judge(entry);
    if (verdict.kind === 'ignored') judged.ignored += 1;
    else if (verdict.kind === 'quarantined') judged.bad.push({ entry, reason: verdict.reason });
    else appendTo(judged.standing, entry.userId, [[entry.line, entry.at, entry.end, entry.textHash]]);
  }
  return judged;
}
