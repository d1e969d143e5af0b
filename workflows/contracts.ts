/**
 * The contract between workflows and activities: what activities take and answer, and the
 * stored shapes workflows carry. Types only: workflows import their types from here, and
 * the layers below (activities, the client) may import these types, and nothing else, from
 * workflows/ (eslint.config.js).
 */
import type { Category, ConflictPolicy } from '../domain/categories';
import type { SelectionPart, StagingSummary, StatusError } from '../store/control/control-collections';
import type { LinePosition } from '../snapshot/line-reader';
import type { PagedUser } from '../store/control/user-pages';
import type { CampaignReport } from '../store/control/campaign-report';

export type { Activities } from '../activities';
export type { UndoOutcome } from '../activities/undo';
export type { CampaignReport, LinePosition, PagedUser, StagingSummary, StatusError };

/** What a campaign was started with. */
export interface CampaignSettings {
  campaignId: string;
  snapshotDir: string;
  /** In wave order. */
  categories: Category[];
  policies: Record<string, ConflictPolicy>;
  /** De-duplicate recovered contacts against those users re-entered (docs/design.md §4). */
  dedupe: boolean;
  /**
   * Restore only the users the operator listed (`--users FILE`), which the client wrote as
   * the `requested` part of the selection named by the campaign id (store/control/selections.ts).
   */
  scoped?: boolean;
  /**
   * Plan only (`--dry-run`): stage, read the live store and decide every record as a real run
   * would, and record the statuses it would end in, under this campaign, in the control
   * database; write nothing to the live store. `user status` passes such campaigns over.
   */
  dryRun?: boolean;
  /** Where its events are POSTed (`--notify-url`, workflows/delivery.ts); recorded on the campaign. */
  notifyUrl?: string;
}

/** A campaign as opened: its snapshot, its users, and for a scoped campaign the chunks its users are held in. */
export interface OpenedCampaign {
  snapshotId: string;
  users: number;
  scopeChunks?: number;
  /** Pages of users.ndjson per batch, per category (domain/batch-pages.ts); absent: one. */
  pagesPerBatch?: Partial<Record<Category, number>>;
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
  /**
   * Lines of users.ndjson per page to tag staged documents with (the campaign's batch size);
   * absent for a replay of a category its campaign never staged, whose reads go untagged.
   */
  pageLines?: number;
  /**
   * Stage only the lines of the users of this selection's part (store/control/selections.ts): a
   * scoped campaign's users, or a replay's. `afresh` (a replay's, reading a repaired
   * snapshot perhaps): what was staged and quarantined for them before is dropped first,
   * and the campaign's staging summary is left as it was.
   */
  selection?: { id: string; part: SelectionPart; afresh: boolean };
}

export interface RestoreBatchInput {
  campaignId: string;
  snapshotId: string;
  /** The snapshot: where blobs are read from (photos), and what a batch waits for when it cannot be read. */
  snapshotDir: string;
  category: Category;
  policy: ConflictPolicy;
  dedupe: boolean;
  users: PagedUser[];
  /** Categories whose pending status this batch creates first (the first wave's batches do it for all). */
  initCategories: Category[];
  /** Decide and record, write nothing to the live store (CampaignSettings.dryRun). */
  dryRun?: boolean;
}

/** How a batch's users ended, per state. */
export interface BatchOutcome {
  restored: number;
  partial: number;
  failed: number;
  /** Its users' records by what became of them. */
  records: RecordTally;
}

/** Records by what became of them, summed over users (the counts of docs/design.md §5). */
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
  /** Expected records per user. */
  expected: Record<string, number>;
  /** Each user's line in users.ndjson, where known: the page its staged lines are read by. */
  lines?: Record<string, number>;
  error: StatusError;
}

/** What an engineer asks a replay to re-run (`restorectl replay`). */
export interface ReplayRequest {
  campaignId: string;
  /** The snapshot to read: the campaign's, or a repaired copy with the same snapshotId. */
  snapshotDir: string;
  /** Only these users; absent: every user (with `allFailed`). */
  userIds?: string[];
  /** Only these categories; absent: all of the campaign's. */
  categories?: Category[];
  /** Only `failed` user-categories; otherwise every one not `restored`. */
  allFailed: boolean;
  /** Every user-category not done (`pending`, `restoring`, `failed`; not `restored` or `partial`): a failed or cancelled campaign finished. */
  unfinished?: boolean;
}

/** The user-categories a replay re-runs, per category in wave order, held as a selection of batches (store/control/selections.ts). */
export interface ReplayPlan {
  selectionId: string;
  snapshotId: string;
  dedupe: boolean;
  waves: { category: Category; users: number; chunks: number; policy: ConflictPolicy; pageLines?: number }[];
  /** Selected users that the snapshot read has no line for: left as they are. */
  notInSnapshot: string[];
}
