import type { Category } from '../../domain/categories';
import type { CampaignDoc, ControlCollections, UserStatusDoc } from './control-collections';
import { pageOfKey } from './user-pages';

/**
 * The status fields of docs/design.md §5: the document without its keys and its page tag
 * (store/control/status-writer.ts); for a category not back yet in a running campaign, when
 * it should be (operations/eta.ts).
 */
export type UserCategoryStatus = Omit<UserStatusDoc, '_id' | 'campaignId' | 'userId' | 'category' | 'page' | 'expectedOf'> & {
  /** When the category should be back, as an estimate; null when none can be given (paused, no pace yet). */
  expectedBy?: Date | null;
  /** What that estimate rests on, in words. */
  estimateBasis?: string;
};

/** The shape of `user status --json` and of GET /api/users/:userId/status (docs/design.md §6). */
export interface UserStatusReport {
  userId: string;
  /** `campaignState`: how the campaign stands, so a `pending` entry of a cancelled one reads as never to be reached. */
  campaigns: {
    campaignId: string;
    campaignState: CampaignDoc['state'] | null;
    /** The error class a failed campaign ended with: what its users never reached read as the cause. */
    campaignFailure?: string | null;
    categories: Partial<Record<Category, UserCategoryStatus>>;
    /** Users of users.ndjson up to the end of this user's page: each wave reaches the user once that many of its users have ended. */
    reachedAfterUsers?: number;
  }[];
}

/** A later category's entry before it is written: pending, with what the user expects of it, as of `since`. */
function pendingEntry(expected: number, since: Date): UserCategoryStatus {
  return {
    state: 'pending',
    expected,
    received: 0,
    valid: 0,
    quarantined: 0,
    missing: expected,
    restored: 0,
    keptLive: 0,
    duplicates: 0,
    attempts: 0,
    error: null,
    updatedAt: since,
  };
}

/**
 * One user's status across campaigns (newest first), or in one campaign. A later category's
 * entry is written when it ends (store/control/status-writer.ts): until then it reads as
 * pending, with the counts the user's first-wave entry holds for it.
 */
export async function userStatus(c: ControlCollections, userId: string, campaignId?: string): Promise<UserStatusReport> {
  const docs = await c.status.find(campaignId ? { userId, campaignId } : { userId }).toArray();
  const byCampaign = new Map<string, UserStatusReport['campaigns'][number]>();
  const pageOf = new Map<string, number>();
  for (const { _id, campaignId: id, userId: _user, category, page, expectedOf, ...fields } of docs) {
    const entry = byCampaign.get(id) ?? { campaignId: id, campaignState: null, categories: {} };
    // A page tag ends with the page's number, the same in every category (store/control/user-pages.ts).
    if (page) pageOf.set(id, pageOfKey(page));
    entry.categories[category] = fields;
    for (const [later, expected] of Object.entries(expectedOf ?? {}) as [Category, number][]) entry.categories[later] ??= pendingEntry(expected, fields.updatedAt);
    byCampaign.set(id, entry);
  }
  // One read by _id per campaign the user is in: a handful. A dry run restored nothing: not the user's status.
  for (const entry of byCampaign.values()) {
    const campaign = await c.campaigns.findOne({ _id: entry.campaignId }, { projection: { state: 1, dryRun: 1, 'error.class': 1, users: 1, 'pageLines.users': 1 } });
    if (campaign?.dryRun) byCampaign.delete(entry.campaignId);
    else Object.assign(entry, { campaignState: campaign?.state ?? null, ...(campaign?.state === 'failed' ? { campaignFailure: campaign.error?.class ?? null } : {}) });
    const page = pageOf.get(entry.campaignId);
    const pageLines = campaign?.pageLines?.users;
    if (campaign?.state === 'running' && page !== undefined && pageLines) entry.reachedAfterUsers = Math.min(campaign.users, (page + 1) * pageLines);
  }
  // Campaign ids start with their start time, so they sort by it.
  return { userId, campaigns: [...byCampaign.values()].sort((a, b) => b.campaignId.localeCompare(a.campaignId)) };
}
