import { Context, log } from '@temporalio/activity';
import { pagesPerBatch } from '../domain/batch-pages';
import type { Category } from '../domain/categories';
import type { UserLine } from '../domain/record-schemas';
import { SnapshotUnavailableError, StoreUnavailableError } from '../domain/errors';
import { type CampaignDoc, type CampaignScope, type ControlCollections, ensureControlIndexes, type StatusError } from '../store/control/control-collections';
import { type CampaignReport, campaignReport } from '../store/control/campaign-report';
import { chunked, type LinePosition } from '../snapshot/line-reader';
import { checkSnapshotFiles } from '../snapshot/layout';
import { readManifest } from '../snapshot/manifest';
import { readUsers, scanUsers } from '../snapshot/users';
import { readingSnapshot, snapshotUnreadable } from '../snapshot/availability';
import { appendTo } from '../domain/maps';
import { INSERT_BATCH } from '../store/mongo/bulk';
import { writeQuarantine } from '../store/control/quarantine';
import { readSelection, writeSelection } from '../store/control/selections';
import { dropChunks } from '../store/control/staged-lines';
import { dropPageEnds } from '../store/control/page-ends';
import { storeClosingReport } from '../store/control/closing-report';
import { userStatusWriter } from '../store/control/status-writer';
import { endsPage, type PagedUser, pageKey, pageOfLine } from '../store/control/user-pages';
import type { CampaignSettings, OpenedCampaign, UserPage } from '../workflows/contracts';

/** The users of users.ndjson, in runs of an insert command, bad lines passed over. */
async function* usersOf(snapshotDir: string): AsyncGenerator<UserLine[]> {
  for await (const entries of chunked(readUsers(snapshotDir), INSERT_BATCH)) yield entries.flatMap((e) => (e.user ? [e.user] : []));
}

/** Listed users not in the snapshot that a scoped campaign's record names; the rest are counted. */
const SCOPE_UNKNOWN_SHOWN = 20;

/** A campaign's record as it opens: running, its snapshot not yet read. */
function newCampaign(settings: CampaignSettings): CampaignDoc {
  return {
    _id: settings.campaignId,
    snapshotDir: settings.snapshotDir,
    snapshotId: '',
    categories: settings.categories,
    policies: settings.policies,
    dedupe: settings.dedupe,
    ...(settings.dryRun ? { dryRun: true } : {}),
    ...(settings.notifyUrl ? { notify: { url: settings.notifyUrl } } : {}),
    users: 0,
    staging: {},
    state: 'running',
    createdAt: new Date(),
    finishedAt: null,
  };
}

/** Where to list users of users.ndjson from: a page of `limit` lines, of the given categories' expectations. */
interface PageListing {
  campaignId: string;
  snapshotDir: string;
  from: LinePosition;
  limit: number;
  categories: Category[];
  maxUsers?: number;
}

/** Activities that open, page and close a campaign, bound to the control collections. */
export function campaignActivities(c: ControlCollections) {
  /**
   * The lines of users.ndjson in (after, upTo], all of page `page`, that openCampaign
   * quarantined: by the page's tag when it tagged them in pages of this size, else by a
   * range, which FerretDB answers by reading the whole quarantine.
   */
  async function quarantinedUserLines(campaignId: string, page: number, pageLines: number, after: number, upTo: number): Promise<Set<number>> {
    const campaign = await c.campaigns.findOne({ _id: campaignId }, { projection: { 'pageLines.users': 1 } });
    const filter =
      campaign?.pageLines?.users === pageLines
        ? { page: pageKey(campaignId, 'users', page * pageLines + 1, pageLines) }
        : { campaignId, category: 'users' as const, line: { $gt: after, $lte: upTo } };
    const lines = (await c.quarantine.find(filter, { projection: { line: 1 } }).toArray()).map((q) => q.line);
    return new Set(lines.filter((line) => line > after && line <= upTo));
  }

  /**
   * Gives every user a `pending` entry in each of the campaign's categories, where it has
   * none: the users of users.ndjson, or of a scoped campaign, its selection's users.
   */
  async function pendEveryUser(campaign: Pick<CampaignDoc, '_id' | 'snapshotDir' | 'categories' | 'scope'>, now: Date): Promise<void> {
    const runs = campaign.scope ? [await readSelection(c, campaign._id, 'users')] : usersOf(campaign.snapshotDir);
    // Read as a step that reads the snapshot: its storage away is waited out, not a failure of the close.
    await readingSnapshot(campaign.snapshotDir, {}, async () => {
      for await (const users of runs) {
        for (const category of campaign.categories) {
          await userStatusWriter(c, campaign._id, category).initPending(
            users.map((u) => ({ userId: u.userId, expected: u.expected[category] ?? 0 })),
            now,
          );
        }
        Context.current().heartbeat();
      }
    });
  }

  /**
   * Finds the users the operator listed for a scoped campaign in users.ndjson, writes those
   * found as the selection's `users` part, in chunks of a page, and says how many were not
   * found, with some of them. A user's standing line is its first good one, as in paging.
   */
  async function resolveScope(settings: CampaignSettings, standing: Map<string, number>, chunkUsers: number): Promise<{ scope: CampaignScope; users: number; chunks: number }> {
    const requested = new Set((await readSelection(c, settings.campaignId, 'requested')).map((u) => u.userId));
    const found: PagedUser[] = [];
    for await (const entry of readUsers(settings.snapshotDir)) {
      if (!entry.user || !requested.has(entry.user.userId) || standing.get(entry.user.userId) !== entry.number) continue;
      const { expected } = entry.user;
      found.push({ userId: entry.user.userId, line: entry.number, expected: Object.fromEntries(settings.categories.map((cat) => [cat, expected[cat] ?? 0])) });
    }
    const unknown = [...requested].filter((userId) => !standing.has(userId));
    const chunks = await writeSelection(c, settings.campaignId, 'users', found, chunkUsers);
    return { scope: { requested: requested.size, unknown: unknown.length, unknownExamples: unknown.slice(0, SCOPE_UNKNOWN_SHOWN) }, users: found.length, chunks };
  }

  /** From the first wave's entries (`expectedOf`), a `pending` entry of each later category where it has none: what settling needs of the control store alone. */
  async function pendFromFirstWave(campaignId: string, first: Category, now: Date): Promise<void> {
    const byCategory = new Map<Category, { userId: string; expected: number }[]>();
    for await (const doc of c.status.find({ campaignId, category: first }, { projection: { userId: 1, expectedOf: 1 }, batchSize: 5000 })) {
      for (const [later, expected] of Object.entries(doc.expectedOf ?? {}) as [Category, number][]) appendTo(byCategory, later, [{ userId: doc.userId, expected }]);
    }
    for (const [category, users] of byCategory) await userStatusWriter(c, campaignId, category).initPending(users, now);
  }

  /**
   * Gives every user-category of a campaign cut short the entry it lacks, `pending`: a
   * category's entries are written as they end, and an ended campaign shows one for every
   * user. From users.ndjson when it can be read (every user); else from the first wave's
   * entries, so that a campaign cancelled while its snapshot's storage is away still
   * ends. Users the first wave never reached are known only to users.ndjson.
   */
  async function settleEntries(campaignId: string, unreachedFrom: LinePosition | undefined, now: Date): Promise<void> {
    const campaign = await c.campaigns.findOne({ _id: campaignId }, { projection: { snapshotDir: 1, snapshotId: 1, categories: 1, scope: 1 } });
    if (!campaign?.snapshotId) return;
    if (unreachedFrom || !(await snapshotUnreadable(campaign.snapshotDir))) await pendEveryUser(campaign, now);
    else await pendFromFirstWave(campaignId, campaign.categories[0], now);
  }

  /**
   * Reads the users of users.ndjson from `from` to the end of its page of `limit` lines
   * (store/control/user-pages.ts), with each one's line and what it expects of the given
   * categories, passing over the lines openCampaign quarantined (a repeated user would
   * otherwise be restored twice). A page then holds the users whose staged documents
   * share its tag; from a position inside a page (a canary's last page), it reads to that
   * page's end. With `maxUsers`, it stops after that many users, and `next` is the line
   * after the last.
   */
  async function listPage(input: PageListing): Promise<UserPage> {
    // One pass over the page's lines of users.ndjson, as a step that reads the snapshot.
    const pass = await readingSnapshot(input.snapshotDir, {}, async () => {
      const found = { read: [] as { line: number; user: UserLine; next: LinePosition }[], next: input.from, done: true, page: undefined as number | undefined };
      for await (const entry of readUsers(input.snapshotDir, input.from)) {
        // Blank lines are not yielded, so a page's last line may be missing: a line of the
        // next page ends this one, and is read again from `next` (after the line before it).
        const entryPage = pageOfLine(entry.number, input.limit);
        found.page ??= entryPage;
        if (entryPage !== found.page) {
          found.done = false;
          break;
        }
        found.next = entry.next;
        if (entry.user) found.read.push({ line: entry.number, user: entry.user, next: entry.next });
        if (endsPage(entry.number, input.limit)) {
          found.done = false;
          break;
        }
      }
      return found;
    });
    const { read, page } = pass;
    let { next, done } = pass;
    const skip = page === undefined ? new Set<number>() : await quarantinedUserLines(input.campaignId, page, input.limit, input.from.line, next.line);
    let standing = read.filter(({ line }) => !skip.has(line));
    if (input.maxUsers !== undefined && standing.length > input.maxUsers) {
      standing = standing.slice(0, input.maxUsers);
      next = standing[standing.length - 1]?.next ?? input.from;
      done = false;
    }
    const users = standing.map(({ line, user }) => ({ userId: user.userId, line, expected: Object.fromEntries(input.categories.map((cat) => [cat, user.expected[cat] ?? 0])) }));
    return { users, next, done };
  }

  /**
   * The users of up to `pages` consecutive pages of users.ndjson from `from` (one when
   * absent), as one page that ends where the last ends: a batch of several pages is listed
   * by one activity, not one per page. Each page as listPage reads it; `maxUsers` counts
   * over them all.
   */
  async function listBatch(input: PageListing & { pages?: number }): Promise<UserPage> {
    let page = await listPage(input);
    const users = [...page.users];
    for (let taken = 1; taken < (input.pages ?? 1) && !page.done && users.length < (input.maxUsers ?? Infinity); taken++) {
      page = await listPage({ ...input, from: page.next, ...(input.maxUsers === undefined ? {} : { maxUsers: input.maxUsers - users.length }) });
      users.push(...page.users);
    }
    return { ...page, users };
  }

  return {
    /**
     * Checks the snapshot, records the campaign, quarantines bad lines of users.ndjson
     * and counts the users. Idempotent: a second run finds the campaign and the same lines.
     * The bad lines are tagged with their page of `pageLines` lines (the campaign's batch size),
     * for listUserPage to find a page's among them by one indexed query. A scoped campaign
     * counts only its users found in the snapshot, and holds them in chunks of a page. With
     * `recordsPerBatch`, it says how many pages each wave's batches take (domain/batch-pages.ts),
     * leaving a wave at least `batchesAtOnce` batches.
     */
    async openCampaign(
      settings: CampaignSettings,
      { pageLines, recordsPerBatch, batchesAtOnce = 1 }: { pageLines: number; recordsPerBatch?: number; batchesAtOnce?: number },
    ): Promise<OpenedCampaign> {
      await ensureControlIndexes(c);
      // The record first, so a campaign that fails on its snapshot has one to show why.
      await c.campaigns.updateOne({ _id: settings.campaignId }, { $setOnInsert: newCampaign(settings) }, { upsert: true });
      const { manifest, scan, scoped } = await readingSnapshot(settings.snapshotDir, {}, async () => {
        const manifest = await readManifest(settings.snapshotDir);
        await checkSnapshotFiles(settings.snapshotDir, settings.categories);
        const scan = await scanUsers(settings.snapshotDir);
        const scoped = settings.scoped ? await resolveScope(settings, scan.ids, pageLines) : undefined;
        return { manifest, scan, scoped };
      });
      const users = scoped?.users ?? scan.ids.size;
      await writeQuarantine(
        c,
        settings.campaignId,
        'users',
        scan.bad.map((line) => ({ line: line.number, userId: null, recordId: null, reason: line.reason, raw: line.raw })),
        (line) => pageKey(settings.campaignId, 'users', line.line, pageLines),
      );
      await c.campaigns.updateOne(
        { _id: settings.campaignId },
        {
          $set: {
            snapshotId: manifest.snapshotId,
            users,
            unknownExpectedKeys: scan.unknownExpectedKeys,
            'pageLines.users': pageLines,
            ...(scoped ? { scope: scoped.scope } : {}),
          },
        },
      );
      log.info('campaign opened', { campaignId: settings.campaignId, users, badUserLines: scan.bad.length, ...(scoped ? { scopeUnknown: scoped.scope.unknown } : {}) });
      // A scoped campaign's batches are its chunks of listed users: one each.
      const grown =
        recordsPerBatch && !scoped ? { pagesPerBatch: pagesPerBatch(settings.categories, scan.expected, scan.ids.size, pageLines, recordsPerBatch, batchesAtOnce) } : {};
      return { snapshotId: manifest.snapshotId, users, ...(scoped ? { scopeChunks: scoped.chunks } : {}), ...grown };
    },

    /** One batch's users (listBatch). */
    listUserPage: listBatch,

    /**
     * Up to `batches` consecutive batches of `pages` pages each from `from`, each as
     * listUserPage lists it, fewer where the file ends: a wave that has several places free
     * (its first batches) starts them after one listing, not one listing each.
     */
    async listUserBatches(input: Omit<PageListing, 'maxUsers'> & { pages?: number; batches: number }): Promise<UserPage[]> {
      const listed: UserPage[] = [];
      for (let from = input.from; listed.length < input.batches;) {
        const batch = await listBatch({ ...input, from });
        listed.push(batch);
        if (batch.done) break;
        from = batch.next;
      }
      return listed;
    },

    /**
     * Answers once the snapshot at `snapshotDir` reads as a whole again; fails (to be
     * retried, backing off) while it does not. `changed` says, in words for the operator,
     * that it came back as another snapshot than the campaign's: its workflow waits on.
     */
    async waitForSnapshot(input: { campaignId: string; snapshotDir: string }): Promise<{ changed: string | null }> {
      const problem = await snapshotUnreadable(input.snapshotDir);
      if (problem) throw new SnapshotUnavailableError(`the snapshot cannot be read: ${problem}`);
      const campaign = await c.campaigns.findOne({ _id: input.campaignId }, { projection: { snapshotId: 1 } });
      const came = (what: string) => ({ changed: `the snapshot came back changed: ${what}; put back the snapshot the campaign started from, or cancel it` });
      try {
        const { snapshotId } = await readManifest(input.snapshotDir);
        if (campaign?.snapshotId && snapshotId !== campaign.snapshotId) return came(`its manifest names snapshot ${snapshotId}, not ${campaign.snapshotId}`);
      } catch (err) {
        return came((err as Error).message);
      }
      return { changed: null };
    },

    /**
     * Marks the campaign finished and returns its report from the status store. A campaign
     * cancelled or failed leaves no user `restoring` (those of batches cut short go back to
     * `pending`, which its ending explains to support), and gets an entry for every user in
     * every category, `pending` where none was written (settleEntries). `unreachedFrom`
     * says its first wave was cut short there: users.ndjson must then be read.
     */
    async closeCampaign(input: { campaignId: string; state: CampaignDoc['state']; error?: StatusError | null; unreachedFrom?: LinePosition }): Promise<CampaignReport> {
      const now = new Date();
      if (input.state !== 'completed') {
        await settleEntries(input.campaignId, input.unreachedFrom, now);
        await c.status.updateMany({ campaignId: input.campaignId, state: 'restoring' }, { $set: { state: 'pending', updatedAt: now } });
      }
      await c.campaigns.updateOne({ _id: input.campaignId }, { $set: { state: input.state, error: input.error ?? null, finishedAt: now } });
      await dropChunks(c, input.campaignId);
      await storeClosingReport(c, input.campaignId, input.state === 'completed');
      await dropPageEnds(c, input.campaignId);
      const report = await campaignReport(c, input.campaignId);
      if (!report) throw new StoreUnavailableError(`campaign ${input.campaignId} is not in the control store`);
      log.info('campaign closed', { campaignId: input.campaignId, state: input.state });
      return report;
    },
  };
}
