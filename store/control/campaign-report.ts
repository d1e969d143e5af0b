import type { Category } from '../../domain/categories';
import { type CampaignDoc, type CampaignScope, type ControlCollections, USER_STATES, type UserState } from './control-collections';

export const COUNT_FIELDS = ['expected', 'received', 'valid', 'quarantined', 'missing', 'restored', 'keptLive', 'duplicates'] as const;
export type Counts = Record<(typeof COUNT_FIELDS)[number], number>;

/** The counts of a status or an outcome, and nothing else of it; a count it lacks is 0. */
export function countsOf(source: Partial<Counts>): Counts {
  return Object.fromEntries(COUNT_FIELDS.map((f) => [f, source[f] ?? 0])) as Counts;
}

export interface CategoryReport {
  /** Users per state. */
  users: Record<UserState, number>;
  /** Record counts summed over users. */
  records: Counts;
}

export interface CampaignReport {
  campaignId: string;
  snapshotId: string;
  state: CampaignDoc['state'];
  /** Why the campaign failed, when it did. */
  error: CampaignDoc['error'];
  users: number;
  /** Keys of `expected` in users.ndjson that name no category, with how many users have each. */
  unknownExpectedKeys: Record<string, number>;
  categories: Partial<Record<Category, CategoryReport>>;
  /** For a campaign scoped to listed users: how many were listed, and those not in the snapshot. */
  scope?: CampaignScope;
  /** A plan (`--dry-run`): the figures are what a real run would do; the live store was not written. */
  dryRun: boolean;
  staging: CampaignDoc['staging'];
  createdAt: Date;
  finishedAt: Date | null;
}

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/** A category's report with nothing in it yet, to add entries to ({@link addToCategoryReport}). */
export function emptyCategoryReport(): CategoryReport {
  return { users: zeros(USER_STATES), records: zeros(COUNT_FIELDS) };
}

/** Adds one user's entry, its state and counts, to a category's report. */
export function addToCategoryReport(report: CategoryReport, state: UserState, counts: Partial<Counts>): void {
  report.users[state] += 1;
  for (const f of COUNT_FIELDS) report.records[f] += counts[f] ?? 0;
}

/**
 * Sums one category's per-user status by state, in one pass over its statuses. Not `$group`:
 * FerretDB 1.24 computes only the first accumulator of a `$group` (returning 0 for the
 * others), so the sums took one aggregation each, nine passes where this is one. Of the
 * campaign's `users`, those without an entry yet are pending (an entry is written when its
 * category ends); their records are not in the sums until then.
 */
export async function categoryReport(c: ControlCollections, campaignId: string, category: Category, users: number): Promise<CategoryReport> {
  const report = emptyCategoryReport();
  const projection = Object.fromEntries(['state', ...COUNT_FIELDS].map((f) => [f, 1]));
  for await (const status of c.status.find({ campaignId, category }, { projection, batchSize: 5000 })) addToCategoryReport(report, status.state, status);
  const written = Object.values(report.users).reduce((n, k) => n + k, 0);
  report.users.pending += Math.max(0, users - written);
  return report;
}

/** The campaign as the control store has it; null when no campaign has that id. */
export async function campaignReport(c: ControlCollections, campaignId: string): Promise<CampaignReport | null> {
  const doc = await c.campaigns.findOne({ _id: campaignId });
  if (!doc) return null;
  // An ended campaign's report was stored as it closed (store/control/closing-report.ts); a replay drops it.
  const stored = doc.state === 'running' ? undefined : doc.report?.categories;
  const categories: CampaignReport['categories'] = stored ?? {};
  if (!stored) for (const category of doc.categories) categories[category] = await categoryReport(c, campaignId, category, doc.users);
  return {
    campaignId: doc._id,
    snapshotId: doc.snapshotId,
    state: doc.state,
    error: doc.error ?? null,
    users: doc.users,
    unknownExpectedKeys: doc.unknownExpectedKeys ?? {},
    categories,
    ...(doc.scope ? { scope: doc.scope } : {}),
    dryRun: doc.dryRun ?? false,
    staging: doc.staging,
    createdAt: doc.createdAt,
    finishedAt: doc.finishedAt,
  };
}
