/**
 * The outbox (docs/design.md §5): one event per end a user-category reaches, and one per
 * user once all its categories have, whatever attempts fail after their writes, and a new
 * one when a replay changes a state; a follower paging by cursor reads each once, in order.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { createActivities } from '../activities';
import { startCampaign, waitForCampaign } from '../client/campaigns';
import { sha256Hex } from '../domain/digest';
import { controlCollections, END_STATES } from '../store/control/control-collections';
import { campaignReport, categoryReport, countsOf } from '../store/control/campaign-report';
import { eventKey, readEvents, SETTLE_MS } from '../store/control/outbox';
import { createHarness, type Harness, withActivities } from './helpers/campaign-runner';
import { followEvents, storedEvents } from './helpers/outbox';
import { cli } from './helpers/cli';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const T = '2009-09-30T18:02:11Z';
const kept = Buffer.from('a photo that stays');
const keptPhoto = { filename: 'k.png', mimeType: 'image/png', bytes: kept.length, sha256: sha256Hex(kept) };
const USERS = ['u-1', 'u-2', 'u-3', 'u-4'];

describe('the outbox', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('outbox'));
  });
  afterAll(async () => h?.close());

  it('holds one event per end reached, across attempts that fail after their writes and a replay, and pages each once in order', async () => {
    // u-2's photo line is damaged (partial); u-1's photos fail in the campaign (below), and a replay restores them.
    const snapshotDir = await writeSnapshot({
      users: USERS.map((userId) => ({ userId, expected: { contacts: 1, photos: 1 } })),
      lines: {
        contacts: USERS.map((userId) => recordLine(userId, 'c-1', T, { displayName: `recovered ${userId}` })),
        photos: [
          recordLine('u-1', 'p-1', T, keptPhoto),
          { ...recordLine('u-2', 'p-1', T, keptPhoto), sha256: sha256Hex('not this') },
          recordLine('u-3', 'p-1', T, keptPhoto),
          recordLine('u-4', 'p-1', T, keptPhoto),
        ],
      },
      blobs: [kept],
    });
    const activities = createActivities(h.stores);
    // Every batch's first attempt fails after all its writes, as a worker lost before it could report;
    // and in the campaign, a batch holding u-1's photos fails as data does, until it is narrowed down to u-1.
    const restoreUsers: typeof activities.restoreUsers = async (input) => {
      if (input.category === 'photos' && input.users.some((u) => u.userId === 'u-1')) throw ApplicationFailure.nonRetryable("u-1's photo cannot be read", 'SnapshotFileError');
      const outcome = await activities.restoreUsers(input);
      if (Context.current().info.attempt === 1) throw new Error('the worker lost its connection after writing');
      return outcome;
    };
    const c = controlCollections(h.stores.control);
    const campaignId = await withActivities(h, { ...activities, restoreUsers }, async () => {
      const id = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts', 'photos'], batchSize: 2, concurrency: 2 });
      await waitForCampaign(h.client, id, undefined, 200);
      return id;
    });
    const afterCampaign = await storedEvents(c, campaignId);
    // The report it closed with is stored, the same as its statuses say (a user failed: summed from them); its page ends are gone.
    const closed = (await c.campaigns.findOne({ _id: campaignId }))!;
    for (const category of ['contacts', 'photos'] as const) expect(closed.report!.categories[category]).toEqual(await categoryReport(c, campaignId, category, 4));
    expect(closed.report!.categories.photos!.users).toMatchObject({ restored: 2, partial: 1, failed: 1 });
    expect(await c.pageEnds.countDocuments({ campaignId })).toBe(0);

    const replay = await h.runWorkerUntil(() => cli(['replay', campaignId, '--all-failed', '--json'], h.env));
    expect(replay.code).toBe(0);

    const statuses = await c.status.find({ campaignId }).toArray();
    // The replay changed a status: the report is read from the statuses again.
    expect((await campaignReport(c, campaignId))!.categories.photos!.users).toMatchObject({ restored: 3, partial: 1, failed: 0 });
    expect(statuses.map((s) => `${s.userId} ${s.category} ${s.state}`).sort()).toEqual([
      'u-1 contacts restored',
      'u-1 photos restored',
      'u-2 contacts restored',
      'u-2 photos partial',
      'u-3 contacts restored',
      'u-3 photos restored',
      'u-4 contacts restored',
      'u-4 photos restored',
    ]);
    const events = await storedEvents(c, campaignId);
    const summary = (e: { userId: string; category: string | null; state: string }) => `${e.userId} ${e.category ?? 'all'} ${e.state}`;
    // The campaign's ends, then the replay's: u-1's photos and u-1 as a whole, failed then restored.
    expect(afterCampaign.map(summary).sort()).toEqual(
      [
        ...statuses.map((s) => (s.userId === 'u-1' && s.category === 'photos' ? 'u-1 photos failed' : summary(s))),
        'u-1 all failed',
        'u-2 all partial',
        'u-3 all restored',
        'u-4 all restored',
      ].sort(),
    );
    expect(events.map(summary).sort()).toEqual([...afterCampaign.map(summary), 'u-1 photos restored', 'u-1 all restored'].sort());
    // Each event carries its status's counts, and the user's its categories' summed; its key is the transition.
    for (const s of statuses) expect(events.find((e) => e._id === eventKey({ ...s, state: s.state as (typeof END_STATES)[number] }))?.counts).toEqual(countsOf(s));
    expect(events.find((e) => e._id === eventKey({ campaignId, userId: 'u-2', category: null, state: 'partial' }))?.counts).toMatchObject({
      expected: 2,
      received: 2,
      valid: 1,
      quarantined: 1,
      restored: 1,
    });

    // A follower reading three at a time from the start gets every event once, in the order recorded.
    const later = new Date(Date.now() + SETTLE_MS + 10_000);
    const { read, next } = await followEvents(c, campaignId, 3, later);
    expect(read.map((e) => e._id).sort()).toEqual(events.map((e) => e._id).sort());
    const slots = new Map(events.map((e) => [e._id, e.slot]));
    const order = read.map((e) => [slots.get(e._id)!, e._id]);
    expect(order).toEqual([...order].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1)));
    // Nothing new: the last cursor reads nothing, and events not yet settled are not read.
    expect((await readEvents(c, { campaignId, after: next, limit: 3, now: later })).events).toEqual([]);
    expect((await readEvents(c, { campaignId, limit: 100, now: new Date(Date.now() - 3_600_000) })).events).toEqual([]);

    // The CLI lists them once they have settled, and says where to read on.
    let listed = await cli(['events', '--campaign', campaignId, '--limit', '1000', '--json'], h.env);
    for (let tries = 0; JSON.parse(listed.stdout).events.length < events.length && tries < 60; tries++) {
      await new Promise((r) => setTimeout(r, 1000));
      listed = await cli(['events', '--campaign', campaignId, '--limit', '1000', '--json'], h.env);
    }
    expect(JSON.parse(listed.stdout)).toEqual({ events: expect.any(Array), next: expect.any(String) });
    expect(
      JSON.parse(listed.stdout)
        .events.map((e: { _id: string }) => e._id)
        .sort(),
    ).toEqual(events.map((e) => e._id).sort());
    const text = await cli(['events', '--campaign', campaignId, '--limit', '2'], h.env);
    expect(text.stdout).toMatch(/^next: \S+$/m);
    const bad = await cli(['events', '--after', 'not-a-cursor'], h.env);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/^restorectl: not an events cursor: not-a-cursor\n$/)]);
  }, 180_000);
});
