import { log } from '@temporalio/activity';
import type { Category } from '../domain/categories';
import { type CampaignDoc, type ControlCollections, controlIds, ensureControlIndexes, RAW_LINE_LIMIT, type QuarantineDoc } from '../store/control-collections';
import { type CampaignReport, campaignReport } from '../store/campaign-report';
import type { LinePosition } from '../snapshot/line-reader';
import { readManifest } from '../snapshot/manifest';
import { readUsers } from '../snapshot/users';
import type { CampaignSettings, UserPage } from './types';
import { typedFailures } from './failures';

export function campaignActivities(c: ControlCollections) {
  return {
    /**
     * Checks the snapshot, records the campaign, quarantines bad lines of users.ndjson
     * and counts the users. Idempotent: a second run finds the campaign and the same lines.
     */
    async openCampaign(settings: CampaignSettings): Promise<{ snapshotId: string; users: number }> {
      return typedFailures(async () => {
        const manifest = await readManifest(settings.snapshotDir);
        await ensureControlIndexes(c);
        let users = 0;
        const bad: QuarantineDoc[] = [];
        for await (const entry of readUsers(settings.snapshotDir)) {
          if (entry.user) users += 1;
          else
            bad.push({
              _id: controlIds.quarantine(settings.campaignId, 'users', entry.number),
              campaignId: settings.campaignId,
              category: 'users',
              line: entry.number,
              userId: null,
              recordId: null,
              reason: entry.reason,
              raw: entry.raw.slice(0, RAW_LINE_LIMIT),
              rawTruncated: entry.raw.length > RAW_LINE_LIMIT,
            });
        }
        if (bad.length) {
          await c.quarantine.bulkWrite(bad.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })));
        }
        const doc: CampaignDoc = {
          _id: settings.campaignId,
          snapshotDir: settings.snapshotDir,
          snapshotId: manifest.snapshotId,
          categories: settings.categories,
          policies: settings.policies,
          dedupe: settings.dedupe,
          users,
          staging: {},
          state: 'running',
          createdAt: new Date(),
          finishedAt: null,
        };
        await c.campaigns.updateOne({ _id: settings.campaignId }, { $setOnInsert: doc }, { upsert: true });
        log.info('campaign opened', { campaignId: settings.campaignId, users, badUserLines: bad.length });
        return { snapshotId: manifest.snapshotId, users };
      });
    },

    /** Reads up to `limit` users of users.ndjson from `from`, with what each expects of the given categories. */
    async listUserPage(input: { snapshotDir: string; from: LinePosition; limit: number; categories: Category[] }): Promise<UserPage> {
      const users: UserPage['users'] = [];
      let next: LinePosition = input.from;
      for await (const entry of readUsers(input.snapshotDir, input.from)) {
        next = entry.next;
        if (!entry.user) continue;
        const expected = Object.fromEntries(input.categories.map((cat) => [cat, entry.user!.expected[cat] ?? 0]));
        users.push({ userId: entry.user.userId, expected });
        if (users.length >= input.limit) return { users, next, done: false };
      }
      return { users, next, done: true };
    },

    /** Marks the campaign finished and returns its report from the status store. */
    async closeCampaign(input: { campaignId: string; state: CampaignDoc['state'] }): Promise<CampaignReport> {
      await c.campaigns.updateOne({ _id: input.campaignId }, { $set: { state: input.state, finishedAt: new Date() } });
      const report = await campaignReport(c, input.campaignId);
      if (!report) throw new Error(`campaign ${input.campaignId} vanished from the control store`);
      log.info('campaign closed', { campaignId: input.campaignId, state: input.state });
      return report;
    },
  };
}
