import type { CampaignDoc, ControlCollections } from './control-collections';

/** One campaign in a list: what identifies it and where it stands, without its per-category figures. */
export type CampaignListEntry = Pick<CampaignDoc, 'snapshotId' | 'state' | 'users' | 'categories' | 'createdAt' | 'finishedAt'> & { campaignId: string; dryRun: boolean };

/** The newest `limit` campaigns, newest first. */
export async function listCampaigns(c: ControlCollections, limit = 100): Promise<CampaignListEntry[]> {
  const docs = await c.campaigns
    .find({}, { projection: { staging: 0 } })
    .sort({ createdAt: -1 })
    .limit(limit)
    .toArray();
  return docs.map((d) => ({
    campaignId: d._id,
    snapshotId: d.snapshotId,
    state: d.state,
    users: d.users,
    categories: d.categories,
    createdAt: d.createdAt,
    finishedAt: d.finishedAt,
    dryRun: d.dryRun ?? false,
  }));
}
