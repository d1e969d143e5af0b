import type { CategoryTraits } from '../domain/category-traits';
import { checkLine, type LineCheck, type QuarantineReason } from '../domain/line-check';
import type { RecordLine } from '../domain/record-schemas';
import { checkBlob } from './blobs';
import type { NumberedLine } from './line-reader';

/** A line that claims its (userId, recordId) key, valid or not. */
export interface Claim {
  key: string;
  line: number;
  lineHash: string;
  userId: string;
  recordId: string;
  /** The record when the line is valid, null when it is quarantined but still claims its key. */
  record: RecordLine | null;
}

/**
 * How a claim relates to the first line of its key. Re-claiming by the same line (a
 * resumed run) is `first`. `refused` says why the store would not keep the record.
 */
export type ClaimResult = { first: true; refused?: string } | { first: false; identical: boolean; firstLine: number };

/**
 * Who saw which (userId, recordId) first. `claim` takes claims in file order and must
 * answer for each as if they were made one by one.
 */
export interface ClaimRegistry {
  claim(claims: Claim[]): Promise<ClaimResult[]>;
}

export type LineOutcome =
  | { kind: 'valid'; claim: Claim & { record: RecordLine } }
  | { kind: 'quarantined'; line: number; raw: string; userId: string | null; recordId: string | null; reason: QuarantineReason }
  | { kind: 'ignored'; line: number }
  /** A line not for the users being staged (see `keep`): neither claimed nor quarantined. */
  | { kind: 'passed-over'; line: number };

/** A key for (userId, recordId) that no two pairs share (ids cannot hold U+0000). */
function recordKey(userId: string, recordId: string): string {
  return `${userId}\u0000${recordId}`;
}

/** A line after the checks that need no other line: what claimLines then judges against the lines before it. */
export interface CheckedLine {
  number: number;
  text: string;
  check: LineCheck;
}

/**
 * The checks of DESIGN.md §3 that need no other line, on a run of consecutive lines of one
 * category file: the line itself, and its blob for a category whose records name one.
 * `onBlobRead` is called as blob bytes are read, for a caller to heartbeat. With `keep`,
 * only the lines of the users it keeps are judged; the others are passed over.
 */
export async function checkLines(
  lines: NumberedLine[],
  traits: CategoryTraits,
  snapshotDir: string,
  isKnownUser: (userId: string) => boolean,
  onBlobRead?: () => void,
  keep?: (userId: string) => boolean,
): Promise<{ checked: CheckedLine[]; kept: (userId: string | null) => boolean }> {
  const kept = (userId: string | null) => !keep || (userId !== null && keep(userId));
  const checked = await Promise.all(
    lines.map(async ({ number, text }): Promise<CheckedLine> => {
      const check = checkLine(text, traits, isKnownUser);
      if (check.kind === 'valid' && traits.blob && kept(check.userId)) {
        const reason = await checkBlob(snapshotDir, traits.blob, check.record.data, onBlobRead);
        if (reason) return { number, text, check: { ...check, kind: 'quarantined', reason } };
      }
      return { number, text, check };
    }),
  );
  return { checked, kept };
}

/**
 * Judges checked lines against the lines before them through `registry`, in file order:
 * a repeat of a key with the same content is ignored, with other content quarantined;
 * a record the store refused is quarantined. Claims must be made run after run, in order.
 */
export async function claimLines({ checked, kept }: Awaited<ReturnType<typeof checkLines>>, registry: ClaimRegistry): Promise<LineOutcome[]> {
  const claims: Claim[] = [];
  for (const { number, check } of checked) {
    if (check.lineHash === null || check.recordId === null || check.userId === null || !kept(check.userId)) continue;
    claims.push({
      key: recordKey(check.userId, check.recordId),
      line: number,
      lineHash: check.lineHash,
      userId: check.userId,
      recordId: check.recordId,
      record: check.kind === 'valid' ? check.record : null,
    });
  }
  const results = new Map<number, { claim: Claim; result: ClaimResult }>();
  (await registry.claim(claims)).forEach((result, i) => results.set(claims[i].line, { claim: claims[i], result }));

  return checked.map(({ number, text, check }): LineOutcome => {
    if (!kept(check.userId)) return { kind: 'passed-over', line: number };
    const claimed = results.get(number);
    const result = claimed?.result;
    if (result && !result.first) {
      if (result.identical) return { kind: 'ignored', line: number };
      return {
        kind: 'quarantined',
        line: number,
        raw: text,
        userId: check.userId,
        recordId: check.recordId,
        reason: { code: 'duplicate-conflict', message: `repeats the userId and recordId of line ${result.firstLine} with different content` },
      };
    }
    if (check.kind === 'valid' && result?.refused) {
      return { kind: 'quarantined', line: number, raw: text, userId: check.userId, recordId: check.recordId, reason: { code: 'store-refused', message: result.refused } };
    }
    if (check.kind === 'valid') return { kind: 'valid', claim: { ...claimed!.claim, record: check.record } };
    return { kind: 'quarantined', line: number, raw: text, userId: check.userId, recordId: check.recordId, reason: check.reason };
  });
}

/** Classifies a run of lines by every rule of DESIGN.md §3: {@link checkLines}, then {@link claimLines}. */
export async function classifyLines(
  lines: NumberedLine[],
  traits: CategoryTraits,
  snapshotDir: string,
  isKnownUser: (userId: string) => boolean,
  registry: ClaimRegistry,
  onBlobRead?: () => void,
): Promise<LineOutcome[]> {
  return claimLines(await checkLines(lines, traits, snapshotDir, isKnownUser, onBlobRead), registry);
}

/** Answers claims from memory; for checking a snapshot without a store (`snapshot verify`). */
export class InMemoryClaimRegistry implements ClaimRegistry {
  private readonly firsts = new Map<string, { line: number; lineHash: string }>();

  async claim(claims: Claim[]): Promise<ClaimResult[]> {
    return claims.map(({ key, line, lineHash }) => {
      const first = this.firsts.get(key);
      if (!first || first.line === line) {
        this.firsts.set(key, { line, lineHash });
        return { first: true };
      }
      return { first: false, identical: first.lineHash === lineHash, firstLine: first.line };
    });
  }
}
