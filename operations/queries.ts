import type { Client } from '@temporalio/client';
import { campaignProgress } from '../client/campaigns';
import { describeUserCategory, waveFigures, type WaveFigures } from './words';
import { CATEGORIES, type Category } from '../domain/categories';
import { NotFoundError } from '../domain/errors';
import { type CampaignReport, campaignReport } from '../store/control/campaign-report';
import type { ControlCollections } from '../store/control/control-collections';
import { type FailureReport, failureReport } from '../store/control/failure-report';
import { userStatus as readUserStatus, type UserStatusReport } from '../store/control/status-reader';
import { estimateReturn, type ReturnEstimate } from './eta';
import { type EventsPage, MAX_EVENTS_PAGE, readEvents } from '../store/control/outbox';
import type { CampaignProgress, WaveTally } from '../workflows';

/**
 * The read queries behind both the CLI and the HTTP API: what support, incident staff and
 * engineers look at. One place, so the terminal and the pages never disagree.
 */
export { listAudit } from '../store/control/audit-log';
export { listCampaigns } from '../store/control/campaign-list';

/** A campaign as its status shows it: the report from the control store, and while it runs, its progress with figures per wave. */
export type CampaignStatus = (CampaignReport | { campaignId: string; state: 'opening' }) & {
  progress: CampaignProgress | null;
  /** Per wave started, its tally and what it means now (done of total, records per second, ETA). */
  waves: (WaveTally & WaveFigures)[];
};

export async function campaignStatus(client: Client, c: ControlCollections, campaignId: string): Promise<CampaignStatus> {
  const [report, progress] = await Promise.all([campaignReport(c, campaignId), campaignProgress(client, campaignId)]);
  if (!report && !progress) throw new NotFoundError(`no campaign ${campaignId}`);
  const waves = (progress?.tallies ?? []).map((tally) => ({ ...tally, ...waveFigures(tally, progress!.users) }));
  return { ...(report ?? { campaignId, state: 'opening' as const }), progress, waves };
}

/** Answers when the control store knows the campaign (every one, when none is named); else a NotFoundError, which is bad input. */
async function campaignKnown(c: ControlCollections, campaignId: string | undefined): Promise<void> {
  if (campaignId !== undefined && !(await c.campaigns.findOne({ _id: campaignId }, { projection: { _id: 1 } }))) throw new NotFoundError(`no campaign ${campaignId}`);
}

export async function campaignFailures(c: ControlCollections, campaignId: string, category?: Category): Promise<FailureReport> {
  await campaignKnown(c, campaignId);
  return failureReport(c, campaignId, category);
}

/** Events per page when the caller does not say. */
export const DEFAULT_EVENTS_PAGE = 100;

/** A page of the outbox's events, of one campaign or of all, after a cursor (store/control/outbox.ts). */
export async function listEvents(c: ControlCollections, query: { campaignId?: string; after?: string; limit?: number }): Promise<EventsPage> {
  await campaignKnown(c, query.campaignId);
  return readEvents(c, { campaignId: query.campaignId, after: query.after, limit: query.limit ?? DEFAULT_EVENTS_PAGE });
}

/** Of a campaign with a webhook: what is not delivered yet, and what delivery gave up on. */
export interface UndeliveredReport {
  campaignId: string;
  /** The receiver's origin (its path may hold a token). */
  receiver: string;
  /** Settled events after the last one delivered, counted up to MAX_EVENTS_PAGE. */
  waiting: number;
  waitingMore: boolean;
  /** Events tried for hours and passed over, with the last reason. */
  gaveUp: { eventId: string; reason: string; at: Date }[];
}

/** What the webhook deliveries of one campaign, or of every campaign with one, have not delivered. */
export async function undeliveredEvents(c: ControlCollections, campaignId?: string): Promise<UndeliveredReport[]> {
  await campaignKnown(c, campaignId);
  const campaigns = await c.campaigns.find(campaignId ? { _id: campaignId } : {}, { projection: { notify: 1 } }).toArray();
  const reports: UndeliveredReport[] = [];
  for (const { _id, notify } of campaigns) {
    if (!notify) continue;
    const page = await readEvents(c, { campaignId: _id, after: notify.cursor, limit: MAX_EVENTS_PAGE });
    const gaveUp = await c.undelivered.find({ campaignId: _id }).toArray();
    reports.push({
      campaignId: _id,
      receiver: new URL(notify.url).origin,
      waiting: page.events.length,
      waitingMore: page.events.length === MAX_EVENTS_PAGE,
      gaveUp: gaveUp.map((u) => ({ eventId: u._id, reason: u.reason, at: u.at })),
    });
  }
  return reports;
}

/** One user's status in the plain words support reads out: per campaign, each category's sentence and when it last changed. */
export interface UserSummary {
  userId: string;
  campaigns: { campaignId: string; campaignState: string | null; updatedAt: Date | null; categories: { category: Category; state: string; words: string }[] }[];
}

/** A user's status, and for each category not back yet in a running campaign, when it should be (by `${campaignId} ${category}`). */
export interface EstimatedUserStatus {
  status: UserStatusReport;
  estimates: Map<string, ReturnEstimate>;
}

/**
 * One user's status from the control store, with an estimate of when each category not back
 * yet in a running campaign should be, from the campaign's progress in Temporal. Without a
 * client, or when Temporal does not answer, the status alone: support still reads it.
 * `client` may be a function that connects: called only when a campaign of the user runs.
 */
export async function estimatedUserStatus(
  c: ControlCollections,
  client: Client | null | (() => Promise<Client | null>),
  userId: string,
  campaignId?: string,
): Promise<EstimatedUserStatus> {
  const status = await readUserStatus(c, userId, campaignId);
  const estimates = new Map<string, ReturnEstimate>();
  const running = status.campaigns.filter((camp) => camp.campaignState === 'running');
  const temporal = running.length && typeof client === 'function' ? await client() : (client as Client | null);
  for (const camp of running) {
    if (!temporal) break;
    const progress = await campaignProgress(temporal, camp.campaignId).catch(() => null);
    for (const [category, entry] of Object.entries(camp.categories) as [Category, UserStatusReport['campaigns'][number]['categories'][Category]][]) {
      const estimate = entry && estimateReturn({ category, state: entry.state, reachedAfterUsers: camp.reachedAfterUsers }, progress);
      if (!entry || !estimate) continue;
      Object.assign(entry, { expectedBy: estimate.expectedBy, estimateBasis: estimate.basis });
      estimates.set(`${camp.campaignId} ${category}`, estimate);
    }
  }
  return { status, estimates };
}

export async function userStatus(c: ControlCollections, client: Client | null, userId: string, campaignId?: string): Promise<UserStatusReport> {
  return (await estimatedUserStatus(c, client, userId, campaignId)).status;
}

export async function userSummary(c: ControlCollections, client: Client | null, userId: string): Promise<UserSummary> {
  return summarizeUserStatus(await estimatedUserStatus(c, client, userId));
}

/** A user's status in words: what the support page shows and `user status` prints. */
export function summarizeUserStatus({ status, estimates }: EstimatedUserStatus): UserSummary {
  const { userId } = status;
  return {
    userId,
    campaigns: status.campaigns.map((camp) => {
      const present = CATEGORIES.filter((cat) => camp.categories[cat]);
      const times = present.map((cat) => new Date(camp.categories[cat]!.updatedAt).getTime());
      return {
        campaignId: camp.campaignId,
        campaignState: camp.campaignState,
        updatedAt: times.length ? new Date(Math.max(...times)) : null,
        categories: present.map((cat) => ({
          category: cat,
          state: camp.categories[cat]!.state,
          words: describeUserCategory(camp.categories[cat]!, camp.campaignState, camp.campaignFailure, estimates.get(`${camp.campaignId} ${cat}`)),
        })),
      };
    }),
  };
}
