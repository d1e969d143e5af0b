import type { Category } from '../domain/categories';
import type { ControlCollections, UserStatusDoc } from './control-collections';

export type UserCategoryStatus = Omit<UserStatusDoc, '_id' | 'campaignId' | 'userId' | 'category'>;

/** The shape of `user status --json` and of GET /api/users/:userId/status (DESIGN.md §6). */
export interface UserStatusReport {
  userId: string;
  campaigns: { campaignId: string; categories: Partial<Record<Category, UserCategoryStatus>> }[];
}

/** One user's status across campaigns (newest first), or in one campaign. */
export async function userStatus(c: ControlCollections, userId: string, campaignId?: string): Promise<UserStatusReport> {
  const docs = await c.status.find(campaignId ? { userId, campaignId } : { userId }).toArray();
  const byCampaign = new Map<string, UserStatusReport['campaigns'][number]>();
  for (const { _id, campaignId: id, userId: _user, category, ...fields } of docs) {
    const entry = byCampaign.get(id) ?? { campaignId: id, categories: {} };
    entry.categories[category] = fields;
    byCampaign.set(id, entry);
  }
  // Campaign ids start with their start time, so they sort by it.
  return { userId, campaigns: [...byCampaign.values()].sort((a, b) => b.campaignId.localeCompare(a.campaignId)) };
}
