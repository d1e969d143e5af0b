import type { Db, ObjectId } from 'mongodb';
import type { Category, ConflictPolicy } from '../../domain/categories';
import type { QuarantineReason } from '../../domain/line-check';
import type { RecoveredRecord } from '../../domain/restore-plan';
import type { PagedUser } from './user-pages';
import type { ChunkEntry } from '../../snapshot/classify';
import type { OutboxDoc, OutboxSlotDoc } from './outbox';
import type { PageEndsDoc } from './page-ends';
import type { UndeliveredDoc } from './undelivered';
import type { ReplacedDoc } from './replaced';
import type { CategoryReport } from './campaign-report';

export type { ChunkEntry };

/** A ChunkEntry as a chunk document holds it: a tuple, the most compact JSON for the many lines of a run. */
export type StoredChunkEntry = [
  line: number,
  at: number,
  end: number,
  userId: string,
  recordId: string,
  lineHash: string,
  reason: QuarantineReason | null,
  refused: string | null,
  textHash: string,
];

/** The states of one (campaign, user, category) (docs/design.md §5). */
export const USER_STATES = ['pending', 'validating', 'restoring', 'restored', 'partial', 'failed', 'undone'] as const;
export type UserState = (typeof USER_STATES)[number];
/** What an undo did to a user-category's documents (activities/undo.ts). */
export interface UndoCounts {
  /** Restored documents removed: they replaced nothing. */
  removed: number;
  /** Restored documents that replaced a live version, that version put back. */
  putBack: number;
  /** Restored documents the user changed since: kept. */
  keptChanged: number;
}

/** The states a user-category's restore ends in (the outbox announces each, and an undo). */
export const END_STATES = ['restored', 'partial', 'failed'] as const satisfies readonly UserState[];
export type EndState = (typeof END_STATES)[number];

export interface CampaignDoc {
  _id: string;
  snapshotDir: string;
  snapshotId: string;
  categories: Category[];
  policies: Record<string, ConflictPolicy>;
  dedupe: boolean;
  users: number;
  /** Keys of `expected` in users.ndjson that name no category, with how many users have each. */
  unknownExpectedKeys?: Record<string, number>;
  /** A plan (`--dry-run`): its statuses say what a real run would do; the live store was not written. */
  dryRun?: boolean;
  /** The report it closed with (store/control/closing-report.ts), until a replay changes its statuses. */
  report?: { categories: Partial<Record<Category, CategoryReport>>; at: Date };
  /** Where its events are POSTed (`--notify-url`), and how far delivery has come: the outbox cursor after the last event delivered. */
  notify?: { url: string; cursor?: string };
  /** For a campaign scoped to listed users: how many were listed, and those not in users.ndjson (at most 20 shown). */
  scope?: CampaignScope;
  /** Per category, what staging found in its file. */
  staging: Record<string, StagingSummary>;
  /** Per category, and under `users` for the bad lines of users.ndjson, the lines per page of users its documents are tagged with (store/control/user-pages.ts). */
  pageLines?: Record<string, number>;
  state: 'running' | 'completed' | 'failed' | 'cancelled';
  /** Why a failed campaign failed; null otherwise. */
  error?: StatusError | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface CampaignScope {
  requested: number;
  unknown: number;
  unknownExamples: string[];
}

export interface StagingSummary {
  lines: number;
  valid: number;
  quarantined: number;
  ignored: number;
}

/**
 * A user's standing valid lines of one category in a campaign, as places in the snapshot's
 * file: the batch reads the lines back and checks them again. Places, not records, because
 * what the store keeps it must convert, and a record costs it many times what its place does.
 */
export interface StagedLinesDoc {
  _id: string;
  campaignId: string;
  category: Category;
  userId: string;
  /** The user's page (`pageKey`, store/control/user-pages.ts); absent when staged untagged (a replay of a category its campaign never staged). */
  page?: string;
  /** StagedLine[] (snapshot/read-back.ts) as JSON text, the form FerretDB converts fastest. */
  linesJson: string;
}

/**
 * The standing valid lines of a page's users, as a campaign's own staging writes them: one
 * document for hundreds of users, where the stand-in spends about as much on each document
 * as on its content. A batch reads its page's in one read. A replay stages its users into
 * their own StagedLinesDoc, which stands over the page's entry for the same user.
 */
export interface StagedPageDoc {
  /** The page's key, `|#g`, the group of users.ndjson that wrote it and a part (store/control/staged-lines.ts). */
  _id: string;
  campaignId: string;
  category: Category;
  page: string;
  /** [userId, StagedLine[]][] as JSON text. */
  usersJson: string;
}

export type StagedDoc = StagedLinesDoc | StagedPageDoc;

/**
 * The claiming lines of one run of a category file whose users share a group of lines of
 * users.ndjson, kept between staging's two passes: the first writes them as it reads the
 * file; the second, once the whole file is read, judges each group's lines together.
 */
export interface StagingChunkDoc {
  _id: string;
  campaignId: string;
  /** The staging run: the campaign, or a replay's selection. */
  run: string;
  /** `${run}|${category}|${group}`: what the second pass reads a group by. */
  group: string;
  /** StoredChunkEntry[] as JSON text. */
  entriesJson: string;
  /** How many entries it holds: a group's size is known before it is read into memory. */
  entries: number;
}

export interface QuarantineDoc {
  _id: string;
  campaignId: string;
  /** A category, or `users` for a bad line of users.ndjson. */
  category: Category | 'users';
  line: number;
  /** Set when the line names a known user: it then counts as received for that user. */
  userId: string | null;
  recordId: string | null;
  reason: QuarantineReason;
  /** The line as recovered, cut at RAW_LINE_LIMIT (store/control/quarantine.ts) characters; see rawEncoding. */
  raw: string;
  /** `text`: raw is the line; `base64`: raw is its UTF-8 bytes in base64 (a line holding U+0000, which stores refuse as text). */
  rawEncoding: 'text' | 'base64';
  rawTruncated: boolean;
  /** The user's page (`pageKey`, store/control/user-pages.ts) when the line names a known user and staging tagged pages. */
  page?: string;
}

/** A part of a selection (store/control/selections.ts): a replay's category, or a scoped campaign's users as `requested` and as found (`users`). */
export type SelectionPart = Category | 'requested' | 'users';

/** One batch's worth of a selection of users (store/control/selections.ts). */
export interface SelectionChunkDoc {
  _id: string;
  selectionId: string;
  part: SelectionPart;
  chunk: number;
  users: PagedUser[];
}

/** One operator action (store/control/audit-log.ts). Arguments carry ids and settings, never record contents. */
export interface AuditEntryDoc {
  _id: ObjectId;
  at: Date;
  actor: string;
  via: 'api' | 'cli';
  /** start, pause, resume, cancel, set-pace, replay. */
  action: string;
  campaignId: string | null;
  args: Record<string, unknown>;
  outcome: 'ok' | 'refused' | 'failed';
  /** Why it was refused or failed; null when it went through. */
  message: string | null;
}

export interface StatusError {
  class: string;
  message: string;
  /** What the failure follows, where its message also counts: the reasons records were refused. `failures` groups by it. */
  cause?: string;
}

/** Per (campaign, user, category) status: the source of truth for "what happened to user X" (docs/design.md §5). */
export interface UserStatusDoc {
  _id: string;
  campaignId: string;
  userId: string;
  category: Category;
  state: UserState;
  expected: number;
  received: number;
  valid: number;
  quarantined: number;
  missing: number;
  restored: number;
  keptLive: number;
  duplicates: number;
  attempts: number;
  error: StatusError | null;
  updatedAt: Date;
  /** Its user's page (`pageKey` under the category, with the campaign's page size; store/control/user-pages.ts); absent when its category is staged untagged. */
  page?: string;
  /**
   * On the first wave's entries: what the user expects of each later category of the
   * campaign. A later category's entry is written once, when it ends; until then readers
   * take it as `pending` with these counts (store/control/status-reader.ts).
   */
  expectedOf?: Partial<Record<Category, number>>;
  /** Once undone (`state` undone): what the undo did. */
  undo?: UndoCounts;
}

export const controlIds = {
  /** A user's staged lines of a category: one document (or more, `|` and a part, for very many lines: store/control/staged-lines.ts). */
  stagedLines: (campaignId: string, category: Category, userId: string) => `${campaignId}|${category}|${userId}`,
  quarantine: (campaignId: string, category: Category | 'users', line: number) => `${campaignId}|${category}|${line}`,
  status: (campaignId: string, category: Category, userId: string) => `${campaignId}|${category}|${userId}`,
};

/** The control database's collections, typed. */
export function controlCollections(control: Db) {
  return {
    campaigns: control.collection<CampaignDoc>('campaigns'),
    staged: control.collection<StagedDoc>('staged_records'),
    stagingChunks: control.collection<StagingChunkDoc>('staging_chunks'),
    /** Records written to learn whether the store keeps them, and removed at once (store/control/staged-lines.ts). */
    probes: control.collection<{ _id: string; campaignId: string; record: RecoveredRecord }>('store_probes'),
    quarantine: control.collection<QuarantineDoc>('quarantine'),
    status: control.collection<UserStatusDoc>('user_status'),
    selections: control.collection<SelectionChunkDoc>('selections'),
    audit: control.collection<AuditEntryDoc>('audit'),
    /** Events for the application to tell users what came back (store/control/outbox.ts), and the slots they are filed in. */
    outbox: control.collection<OutboxDoc>('outbox'),
    outboxSlots: control.collection<OutboxSlotDoc>('outbox_slots'),
    /** How each user of a page ended in each category so far, for the last wave to tell when a user's every category has (store/control/page-ends.ts). */
    pageEnds: control.collection<PageEndsDoc>('page_ends'),
    /** Events a webhook delivery gave up on (store/control/undelivered.ts). */
    undelivered: control.collection<UndeliveredDoc>('webhook_undelivered'),
    /** Live versions a campaign replaced, for undo (store/control/replaced.ts). */
    replaced: control.collection<ReplacedDoc>('replaced_versions'),
  };
}
export type ControlCollections = ReturnType<typeof controlCollections>;

/** Creates the indexes the control queries need; harmless to repeat. */
export async function ensureControlIndexes(c: ControlCollections): Promise<void> {
  // The user alone: a user's staged documents across campaigns are few, and each field an
  // index names costs every insert (on the local stack, one GIN index per field), while
  // staged records are the most written documents of all.
  await c.staged.createIndex({ userId: 1 });
  await c.staged.createIndex({ page: 1 });
  await c.stagingChunks.createIndex({ group: 1 });
  await c.stagingChunks.createIndex({ run: 1 });
  await c.quarantine.createIndex({ campaignId: 1, category: 1, userId: 1 });
  await c.quarantine.createIndex({ page: 1 });
  await c.status.createIndex({ userId: 1, campaignId: 1 });
  await c.status.createIndex({ campaignId: 1, category: 1, state: 1 });
  await c.status.createIndex({ page: 1 });
  await c.audit.createIndex({ campaignId: 1, at: -1 });
  await c.outbox.createIndex({ slot: 1 });
  await c.outbox.createIndex({ writer: 1 });
  await c.outboxSlots.createIndex({ hour: 1 });
  await c.pageEnds.createIndex({ campaignId: 1 });
  await c.pageEnds.createIndex({ page: 1 });
  await c.undelivered.createIndex({ campaignId: 1 });
  await c.replaced.createIndex({ userId: 1 });
}
