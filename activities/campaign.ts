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
import { endsPage, pageOfLine } from '../store/user-pages';
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
     * Reads the users of users.ndjson from `from` to the end of its page of `limit` lines
     * (store/user-pages.ts), with each one's line and what it expects of the given
     * categories, passing over the lines openCampaign quarantined (a repeated user would
     * otherwise be restored twice). A page then holds the users whose staged documents
     * share its tag; from a position inside a page (a campaign paged before pages
     * existed), it reads to that page's end.
     */
    async listUserPage(input: { campaignId: string; snapshotDir: string; from: LinePosition; limit: number; categories: Category[] }): Promise<UserPage> {
      const read: { line: number; user: UserLine }[] = [];
      let next: LinePosition = input.from;
      let done = true;
      let page: number | undefined;
      for await (const entry of readUsers(input.snapshotDir, input.from)) {
        // Blank lines are not yielded, so a page's last line may be missing: a line of the
        // next page ends this one, and is read again from `next` (after the line before it).
        const entryPage = pageOfLine(entry.number, input.limit);
        page ??= entryPage;
        if (entryPage !== page) {
          done = false;
          break;
        }
        next = entry.next;
        if (entry.user) read.push({ line: entry.number, user: entry.user });
        if (endsPage(entry.number, input.limit)) {
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
        .map(({ line, user }) => ({ userId: user.userId, line, expected: Object.fromEntries(input.categories.map((cat) => [cat, user.expected[cat] ?? 0])) }));
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
