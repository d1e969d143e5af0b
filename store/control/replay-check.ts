import type { CampaignDoc } from './control-collections';

/**
 * Why a campaign cannot be replayed from a snapshot whose manifest carries `snapshotId`, or
 * null when it can: the client asks before it starts a replay (exit 2), the replay's first
 * activity again before it selects anything.
 */
export function whyNotReplay(campaignId: string, campaign: Pick<CampaignDoc, 'state' | 'snapshotId' | 'dryRun'> | null, snapshotDir: string, snapshotId: string): string | null {
  if (!campaign) return `no campaign ${campaignId}`;
  if (campaign.dryRun) return `campaign ${campaignId} is a dry run: it restored nothing to replay; start a real campaign`;
  // The campaign's record says `running` from its workflow's first step to its close.
  if (campaign.state === 'running') return `campaign ${campaignId} is still running: replay it once it has ended (or cancel it)`;
  if (snapshotId !== campaign.snapshotId) return `${snapshotDir} holds snapshot ${snapshotId}, not ${campaign.snapshotId} of campaign ${campaignId}`;
  return null;
}
