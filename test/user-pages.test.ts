/**
 * Batches read their users' staged documents by page (store/control/user-pages.ts). These
 * tests hold that to what a read per user gives, against the real store: the same
 * records and quarantine counts whether staging tagged pages or not (a replay stages a
 * category its campaign never staged untagged), and pages of users.ndjson that never
 * straddle, whatever blank and repeated lines fall on their edges, and that skip the
 * repeated lines by their page's tag or, tagged in pages of another size, by their line.
 */
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { campaignActivities } from '../activities/campaign';
import { stagingActivities } from '../activities/staging';
import type { PagedUser, StageInput, UserPage } from '../workflows/contracts';
import { generateSnapshot } from '../snapshot/generate';
import type { LinePosition } from '../snapshot/line-reader';
import { scanUsers } from '../snapshot/users';
import { connectStores, type Stores } from '../store/mongo/connection';
import { type ControlCollections, controlCollections } from '../store/control/control-collections';
import { readStagedOfUsers, stagedRecords } from '../store/control/staged-reads';
import { pageOfLine } from '../store/control/user-pages';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isolatedEnv } from './helpers/test-env';
import { writeSnapshot } from './helpers/snapshot-builder';

const PAGE_LINES = 7;

describe('pages of users', () => {
  let stores: Stores;
  let c: ControlCollections;

  beforeAll(async () => {
    stores = await connectStores(isolatedEnv('pages'));
    c = controlCollections(stores.control);
  });

  afterAll(async () => {
    await stores.control.dropDatabase();
    await stores.client.close();
  });

  function activityEnv(heartbeatDetails?: unknown) {
    return new MockActivityEnvironment({ heartbeatDetails }, { logger: new DefaultLogger('WARN') });
  }

  async function stage(input: StageInput, heartbeatDetails?: unknown) {
    const env = activityEnv(heartbeatDetails);
    const beats: unknown[] = [];
    env.on('heartbeat', (d) => beats.push(structuredClone(d)));
    await env.run(stagingActivities(c).stageCategory, input);
    return beats;
  }

  /** Per user, the staged record ids and the quarantine count, as a batch of these users reads them. */
  async function readAs(campaignId: string, users: { userId: string; line: number }[]) {
    // As a batch does: by the pages the category was staged in, when it was.
    const campaign = await c.campaigns.findOne({ _id: campaignId });
    const staged = await readStagedOfUsers(c, campaignId, 'contacts', users, campaign?.pageLines?.contacts);
    const { quarantined } = staged;
    const records = await stagedRecords(staged, 'contacts', campaign!.snapshotDir);
    return Object.fromEntries(
      users.map(({ userId }) => [userId, { records: (records.get(userId) ?? []).map((d) => d.recordId).sort(), quarantined: quarantined.get(userId) ?? 0 }]),
    );
  }

  it('a batch reads by page exactly what reads per user find, for whole pages and for any subset of users', async () => {
    const snapshotDir = join(await mkdtemp(join(tmpdir(), 'pages-')), 'snap');
    await generateSnapshot(snapshotDir, { users: 60, seed: 'pages', corruptRate: 0.2 });
    // Each campaign's record, where staging notes the pages it tagged and batches find them.
    for (const _id of ['tagged', 'untagged', 'resumed']) {
      await c.campaigns.insertOne({
        _id,
        snapshotDir,
        snapshotId: 's',
        categories: ['contacts'],
        policies: {},
        dedupe: true,
        users: 60,
        staging: {},
        state: 'running',
        createdAt: new Date(),
        finishedAt: null,
      });
    }
    await stage({ campaignId: 'tagged', snapshotDir, category: 'contacts', pageLines: PAGE_LINES });
    await stage({ campaignId: 'untagged', snapshotDir, category: 'contacts' });
    // A staging whose first attempt tagged nothing, resumed by an attempt given a page size:
    // it must go on tagging nothing, or a page would hold only some of its documents.
    const before = await stage({ campaignId: 'resumed', snapshotDir, category: 'contacts' });
    await stage({ campaignId: 'resumed', snapshotDir, category: 'contacts', pageLines: PAGE_LINES }, before[0]);

    // The batches of 'tagged' read by page; those of the other two, per user.
    expect((await c.campaigns.find({}, { sort: { _id: 1 } }).toArray()).map((d) => [d._id, d.pageLines?.contacts])).toEqual([
      ['resumed', undefined],
      ['tagged', PAGE_LINES],
      ['untagged', undefined],
    ]);
    expect(await c.staged.countDocuments({ campaignId: 'tagged', page: { $exists: false } })).toBe(0);
    // A campaign's own staging packs a page's users into shared documents: fewer documents than users.
    const users = [...(await scanUsers(snapshotDir)).ids].map(([userId, line]) => ({ userId, line }));
    expect(await c.staged.countDocuments({ campaignId: 'tagged', userId: { $exists: true } })).toBe(0);
    expect(await c.staged.countDocuments({ campaignId: 'tagged' })).toBeLessThan(users.length / 2);
    expect(await c.staged.countDocuments({ campaignId: 'resumed', page: { $exists: true } })).toBe(0);
    expect(await c.quarantine.countDocuments({ campaignId: 'tagged', page: { $exists: true } })).toBeGreaterThan(0);

    const page2 = users.filter((u) => pageOfLine(u.line, PAGE_LINES) === 2);
    const scattered = users.filter((_, i) => i % 5 === 1);
    for (const batch of [page2, scattered, users]) {
      const perUser = await readAs('untagged', batch);
      expect(await readAs('tagged', batch)).toEqual(perUser);
      expect(await readAs('resumed', batch)).toEqual(perUser);
    }
    const all = await readAs('untagged', users);
    expect(Object.values(all).some((u) => u.quarantined > 0)).toBe(true);
    expect(Object.values(all).reduce((n, u) => n + u.records.length, 0)).toBe((await c.campaigns.findOne({ _id: 'untagged' }))!.staging.contacts.valid);

    // A replay stages its users into documents of their own, which stand over their page's packed entries.
    // Here the replay found no valid line left for the user.
    const [replayed, neighbour] = page2.filter((u) => all[u.userId].records.length > 0);
    await c.staged.insertOne({
      _id: `tagged|contacts|${replayed.userId}`,
      campaignId: 'tagged',
      category: 'contacts',
      userId: replayed.userId,
      page: 'tagged|contacts|2',
      linesJson: '[]',
    });
    const read = await readAs('tagged', page2);
    expect(read[replayed.userId].records).toEqual([]);
    expect(read[neighbour.userId].records).toEqual(all[neighbour.userId].records);
  });

  it('pages users.ndjson into runs that never straddle a page, skipping blank and repeated lines, each user once', async () => {
    const snapshotDir = await writeSnapshot({ users: [], lines: {} });
    // Line 2 ends the first page of 2 lines and is blank; line 5 repeats u1; line 6 is blank and ends page 3.
    await writeFile(
      join(snapshotDir, 'users.ndjson'),
      ['u1', '', 'u3', 'u4', 'u1', '', 'u7', 'u8', 'u9'].map((u) => (u ? JSON.stringify({ userId: u, expected: { contacts: 1 } }) : '')).join('\n') + '\n',
    );
    const activities = campaignActivities(c);
    const settings = (campaignId: string) => ({ campaignId, snapshotDir, categories: ['contacts' as const], policies: { contacts: 'keep-newer' as const }, dedupe: false });
    // Opened with the page size it is listed by, the repeated line is found by its page's tag; with another, by its line.
    await activityEnv().run(activities.openCampaign, settings('paging-tagged'), { pageLines: 2 });
    await activityEnv().run(activities.openCampaign, settings('paging-untagged'), { pageLines: 3 });
    expect(await c.quarantine.find({ campaignId: 'paging-tagged', category: 'users' }, { projection: { _id: 0, line: 1, page: 1 } }).toArray()).toEqual([
      { line: 5, page: 'paging-tagged|users|2' },
    ]);
    expect(await c.quarantine.find({ campaignId: 'paging-untagged', category: 'users' }, { projection: { _id: 0, line: 1, page: 1 } }).toArray()).toEqual([
      { line: 5, page: 'paging-untagged|users|1' },
    ]);
    for (const campaignId of ['paging-tagged', 'paging-untagged']) {
      const pages: PagedUser[][] = [];
      let from: LinePosition = { byte: 0, line: 0 };
      for (let calls = 0; calls < 20; calls++) {
        const page: UserPage = await activityEnv().run(activities.listUserPage, { campaignId, snapshotDir, from, limit: 2, categories: ['contacts' as const] });
        if (page.users.length) pages.push(page.users);
        from = page.next;
        if (page.done) break;
      }
      expect(pages.map((p) => p.map((u) => u.userId))).toEqual([['u1'], ['u3', 'u4'], ['u7', 'u8'], ['u9']]);
      for (const page of pages) expect(new Set(page.map((u) => pageOfLine(u.line!, 2))).size).toBe(1);
    }

    // A batch of several pages is listed at once: the same users, ending where the pages listed one by one end.
    const list = (input: { from: LinePosition; pages?: number; maxUsers?: number }): Promise<UserPage> =>
      activityEnv().run(activities.listUserPage, { campaignId: 'paging-tagged', snapshotDir, limit: 2, categories: ['contacts' as const], ...input });
    const start = { byte: 0, line: 0 };
    const two = await list({ from: start, pages: 2 });
    const second = await list({ from: (await list({ from: start })).next });
    expect(two.users.map((u) => u.userId)).toEqual(['u1', 'u3', 'u4']);
    expect([two.next, two.done]).toEqual([second.next, second.done]);
    const rest = await list({ from: two.next, pages: 4 });
    expect([rest.users.map((u) => u.userId), rest.done]).toEqual([['u7', 'u8', 'u9'], true]);
    // A canary's limit counts over the pages: it stops inside the second, after its first user.
    const capped = await list({ from: start, pages: 3, maxUsers: 2 });
    expect([capped.users.map((u) => u.userId), capped.done]).toEqual([['u1', 'u3'], false]);
    expect((await list({ from: capped.next })).users.map((u) => u.userId)).toEqual(['u4']);

    // Several batches listed together are the batches listed one after the other, fewer where the file ends.
    const batches = (from: LinePosition, n: number): Promise<UserPage[]> =>
      activityEnv().run(activities.listUserBatches, { campaignId: 'paging-tagged', snapshotDir, from, limit: 2, categories: ['contacts' as const], pages: 2, batches: n });
    expect(await batches(start, 2)).toEqual([two, await list({ from: two.next, pages: 2 })]);
    const toTheEnd = await batches(start, 5);
    expect(toTheEnd.map((b) => [b.users.map((u) => u.userId), b.done])).toEqual([
      [['u1', 'u3', 'u4'], false],
      [['u7', 'u8'], false],
      [['u9'], true],
    ]);
  });
});
