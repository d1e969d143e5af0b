/**
 * Inputs and results of activities, shared with workflows. Types only: workflows
 * import this module for its types, never for code.
 */
import type { Category, ConflictPolicy } from '../domain/categories';
import type { StatusError } from '../store/control-collections';
import type { LinePosition } from '../snapshot/line-reader';

/** What a campaign was started with. */
export interface CampaignSettings {
  campaignId: string;
  snapshotDir: string;
  /** In wave order. */
  categories: Category[];
  policies: Record<string, ConflictPolicy>;
  /** De-duplicate recovered contacts against those users re-entered (DESIGN.md §4). */
  dedupe: boolean;
}

export interface PagedUser {
  userId: string;
  /** The user's line in users.ndjson, which places it in its page (store/user-pages.ts); absent in batches paged before pages existed. */
  line?: number;
  /** Expected record count per category of the campaign. */
  expected: Record<string, number>;
}

export interface UserPage {
  users: PagedUser[];
  next: LinePosition;
  done: boolean;
}

export interface StageInput {
  campaignId: string;
  snapshotDir: string;
  category: Category;
  /** Lines of users.ndjson per page to tag staged documents with (the campaign's batch size); absent: untagged. */
  pageLines?: number;
}

export interface RestoreBatchInput {
  campaignId: string;
  snapshotId: string;
  /** Where blobs are read from (photos); absent in batches started before photos were restored. */
  snapshotDir?: string;
  category: Category;
  policy: ConflictPolicy;
  dedupe: boolean;
  users: PagedUser[];
  /** Categories whose pending status this batch creates first (the first wave's batches do it for all). */
  initCategories: Category[];
}

/** How a batch's users ended, per state. */
export interface BatchOutcome {
  restored: number;
  partial: number;
  failed: number;
  /** Its users' records by what became of them; absent from batches that ended before the field existed. */
  records?: RecordTally;
}

/** Records by what became of them, summed over users (the counts of DESIGN.md §5). */
export interface RecordTally {
  restored: number;
  keptLive: number;
  duplicates: number;
  quarantined: number;
  missing: number;
}

export interface MarkFailedInput {
  campaignId: string;
  category: Category;
  userIds: string[];
  /** Expected records per user (absent in batches that failed before the field existed). */
  expected?: Record<string, number>;
  error: StatusError;
}
