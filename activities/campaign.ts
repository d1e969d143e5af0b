import { log } from '@temporalio/activity';
import type { Category } from '../domain/categories';
import type { UserLine } from '../domain/record-schemas';
import { StoreUnavailableError } from '../domain/errors';
import { type CampaignDoc, type ControlCollections, ensureControlIndexes, type StatusError } from '../store/control-collections';
import { type CampaignReport, campaignReport } from '../store/campaign-report';
import type { LinePosition } from '../snapshot/line-reader';
import { checkSnapshotFiles } from '../snapshot/layout';
import { readManifest } from '../snapshot/manifest';
import { readUsers, scanUsers } from '../snapshot/users';
import { writeQuarantine } from '../store/quarantine';
import type { CampaignSettings, UserPage } from './types';

/** Activities that open, page and close a campaign, bound to the control collections. */
export function campaignActivities(c: ControlCollections) {
  return {
    /**
     * Checks the snapshot, records the campaign, quarantines bad lines of users.ndjson
     * and counts the users. Idempotent: a second run finds the campaign and the same lines.
     */
    async openCampaign(settings: CampaignSettings): Promise<{ snapshotId: string; users: number }> {
      await ensureControlIndexes(c);
      // The record first, so a campaign that fails on its snapshot has one to show why.
      const doc: CampaignDoc = {
        _id: settings.campaignId,
        snapshotDir: settings.snapshotDir,
        snapshotId: '',
        categories: settings.categories,
        policies: settings.policies,
        dedupe: settings.dedupe,
        users: 0,
        staging: {},
        state: 'running',
        createdAt: new Date(),
        finishedAt: null,
      };
      await c.campaigns.updateOne({ _id: settings.campaignId }, { $setOnInsert: doc }, { upsert: true });
      const manifest = await readManifest(settings.snapshotDir);
      await checkSnapshotFiles(settings.snapshotDir, settings.categories);
      const scan = await scanUsers(settings.snapshotDir);
      const users = scan.ids.size;
      await writeQuarantine(
        c,
        settings.campaignId,
        'users',
        scan.bad.map((line) => ({ line: line.number, userId: null, recordId: null, reason: line.reason, raw: line.raw })),
      );
      await c.campaigns.updateOne({ _id: settings.campaignId }, { $set: { snapshotId: manifest.snapshotId, users, unknownExpectedKeys: scan.unknownExpectedKeys } });
      log.info('campaign opened', { campaignId: settings.campaignId, users, badUserLines: scan.bad.length });
      return { snapshotId: manifest.snapshotId, users };
    },

    /**
     * Reads up to `limit` users of users.ndjson from `from`, with what each expects of the
     * given categories, passing over the lines openCampaign quarantined (a repeated user
     * would otherwise be restored twice).
     */
    async listUserPage(input: { campaignId: string; snapshotDir: string; from: LinePosition; limit: number; categories: Category[] }): Promise<UserPage> {
      const read: { line: number; user: UserLine }[] = [];
      let next: LinePosition = input.from;
      let done = true;
      for await (const entry of readUsers(input.snapshotDir, input.from)) {
        next = entry.next;
        if (!entry.user) continue;
        read.push({ line: entry.number, user: entry.user });
        if (read.length >= input.limit) {
          done = false;
          break;
        }
      }
      const quarantined = await c.quarantine
        .find({ campaignId: input.campaignId, category: 'users', line: { $gt: input.from.line, $lte: next.line } }, { projection: { line: 1 } })
        .toArray();
      const skip = new Set(quarantined.map((q) => q.line));
      const users = read
        .filter(({ line }) => !skip.has(line))
        .map(({ user }) => ({ userId: user.userId, expected: Object.fromEntries(input.categories.map((cat) => [cat, user.expected[cat] ?? 0])) }));
      return { users, next, done };
    },

    /** Marks the campaign finished and returns its report from the status store. */
    async closeCampaign(input: { campaignId: string; state: CampaignDoc['state']; error?: StatusError | null }): Promise<CampaignReport> {
      await c.campaigns.updateOne({ _id: input.campaignId }, { $set: { state: input.state, error: input.error ?? null, finishedAt: new Date() } });
      const report = await campaignReport(c, input.campaignId);
      if (!report) throw new StoreUnavailableError(`campaign ${input.campaignId} is not in the control store`);
      log.info('campaign closed', { campaignId: input.campaignId, state: input.state });
      return report;
    },
  };
}
