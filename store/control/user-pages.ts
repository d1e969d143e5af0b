import type { Category } from '../../domain/categories';

/**
 * Users are restored in pages: runs of `pageLines` consecutive lines of users.ndjson,
 * one page per batch. Staging tags each staged record and quarantined line with its
 * user's page, so a batch reads its users' records with one equality query per page
 * rather than one per user: FerretDB serves only equalities from an index, and the
 * per-query cost, not the documents, dominated a batch.
 */

/** The page of a user whose standing line in users.ndjson is `line` (1-based). */
export function pageOfLine(line: number, pageLines: number): number {
  return Math.floor((line - 1) / pageLines);
}

/**
 * The tag of the staged documents and quarantined lines of the user whose standing line is
 * `line`, and, under `users`, of the quarantined lines of users.ndjson itself: the writers
 * and the readers of pages both take it from here.
 */
export function pageKey(campaignId: string, category: Category | 'users', line: number, pageLines: number): string {
  return `${campaignId}|${category}|${pageOfLine(line, pageLines)}`;
}

/** The page number a {@link pageKey} names. */
export function pageOfKey(key: string): number {
  return Number(key.slice(key.lastIndexOf('|') + 1));
}

/** True when `line` is the last of its page: a page read stops there, so pages never straddle. */
export function endsPage(line: number, pageLines: number): boolean {
  return line % pageLines === 0;
}

/** A user of a batch, as paged from users.ndjson or read from a selection (store/control/selections.ts). */
export interface PagedUser {
  userId: string;
  /** The user's line in users.ndjson, which places it in its page (store/control/user-pages.ts); absent only where a caller has none to give (a batch recorded before lines were passed), whose staged lines are then read per user. */
  line?: number;
  /** Expected record count per category of the campaign. */
  expected: Record<string, number>;
  /** Attempts its status counted before this run (a replay's users); absent: none. */
  attemptsBefore?: number;
}

/** Whether these are a replay's users: their statuses were written by an earlier run (`attemptsBefore`). */
export function ofEarlierRun(users: readonly PagedUser[]): boolean {
  return users.some((u) => u.attemptsBefore !== undefined);
}
