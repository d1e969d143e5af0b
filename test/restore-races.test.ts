/**
 * The race a restore must lose: an application writes a live document between the
 * restore's read of it and its replace. Forced through the activity's test hook, not left to
 * timing. The replace is filtered on the version read, so it misses the edited document and
 * the restore decides again from what it reads next; a document that keeps changing makes
 * the attempt give up (LiveStoreRaceError) and the next attempt restore it. And an attempt
 * that dies with half its writes landed: the next one finds them and finishes, once each.
 */
import type { Collection } from 'mongodb';
import { createActivities } from '../activities';
import { applyLiveWrites, type LiveWrite } from '../store/live/live-store';
import { controlCollections } from '../store/control/control-collections';
import { startCampaign, waitForCampaign } from '../client/campaigns';
import { createHarness, type Harness, withActivities } from './helpers/campaign-runner';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const RECOVERED_AT = '2009-09-30T18:02:11Z';
/** Older than the recovered records: keep-newer replaces a live document of this time. */
const LIVE_AT = new Date('2009-09-29T00:00:00Z');

interface LiveContact {
  userId: string;
  recordId: string;
  updatedAt: Date;
  data: { displayName: string };
}

describe('an application write between the restore read and its replace', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('races'));
  });
  afterAll(async () => h?.close());

  it('is kept, and a document that keeps changing makes the attempt give up and the next one restore it', async () => {
    const users = ['u-edited', 'u-churning', 'u-quiet'];
    const snapshotDir = await writeSnapshot({
      users: users.map((userId) => ({ userId, expected: { contacts: 1 } })),
      lines: { contacts: users.map((userId) => recordLine(userId, 'c-1', RECOVERED_AT, { displayName: `recovered ${userId}` })) },
    });
    const live: Collection<LiveContact> = h.stores.target.collection<LiveContact>('contacts');
    await live.insertMany(users.map((userId) => ({ userId, recordId: 'c-1', updatedAt: LIVE_AT, data: { displayName: `live ${userId}` } })));

    const seen: string[] = [];
    const race = async (writes: readonly LiveWrite[], round: number, attempt: number) => {
      for (const w of writes) {
        seen.push(`${w.userId} attempt ${attempt} round ${round} ${w.kind}`);
        if (w.kind !== 'replace') continue;
        // The user edits the contact now: newer than the recovered version, which must not overwrite it.
        if (w.userId === 'u-edited' && round === 1)
          await live.updateOne({ userId: w.userId, recordId: w.record.recordId }, { $set: { updatedAt: new Date(), 'data.displayName': 'edited by the user' } });
        // A sync writes the contact again and again, each time still older than the recovered version.
        if (w.userId === 'u-churning' && attempt === 1)
          await live.updateOne(
            { userId: w.userId, recordId: w.record.recordId },
            { $set: { updatedAt: new Date(LIVE_AT.getTime() + round * 1000), 'data.displayName': `sync ${round}` } },
          );
      }
    };
    const activities = createActivities(h.stores, { beforeWrites: race });
    const report = await withActivities(h, activities, async () =>
      waitForCampaign(h.client, await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts'], batchSize: 1, concurrency: 1 }), undefined, 200),
    );

    expect(report.state).toBe('completed');
    expect(seen.sort()).toEqual(
      [
        'u-churning attempt 1 round 1 replace',
        'u-churning attempt 1 round 2 replace',
        'u-churning attempt 1 round 3 replace',
        // The fourth round gave up before writing (LiveStoreRaceError); the retry found the document still.
        'u-churning attempt 2 round 1 replace',
        'u-edited attempt 1 round 1 replace',
        'u-quiet attempt 1 round 1 replace',
      ].sort(),
    );
    const docs = await live
      .find({}, { projection: { _id: 0, userId: 1, 'data.displayName': 1 } })
      .sort({ userId: 1 })
      .toArray();
    expect(docs).toEqual([
      { userId: 'u-churning', data: { displayName: 'recovered u-churning' } },
      { userId: 'u-edited', data: { displayName: 'edited by the user' } },
      { userId: 'u-quiet', data: { displayName: 'recovered u-quiet' } },
    ]);
    const statuses = await controlCollections(h.stores.control)
      .status.find({}, { projection: { _id: 0, userId: 1, state: 1, restored: 1, keptLive: 1, attempts: 1 } })
      .sort({ userId: 1 })
      .toArray();
    expect(statuses).toEqual([
      { userId: 'u-churning', state: 'restored', restored: 1, keptLive: 0, attempts: 2 },
      { userId: 'u-edited', state: 'restored', restored: 0, keptLive: 1, attempts: 1 },
      { userId: 'u-quiet', state: 'restored', restored: 1, keptLive: 0, attempts: 1 },
    ]);
  });
});

describe('a restore attempt that dies half-way through its writes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('halfway'));
  });
  afterAll(async () => h?.close());

  it('is finished by the next attempt: every record once, counted restored, nothing written twice', async () => {
    const users = ['u-1', 'u-2', 'u-3'];
    const perUser = 4;
    const snapshotDir = await writeSnapshot({
      users: users.map((userId) => ({ userId, expected: { contacts: perUser } })),
      lines: {
        contacts: users.flatMap((userId) => Array.from({ length: perUser }, (_, k) => recordLine(userId, `c-${k}`, RECOVERED_AT, { displayName: `${userId} contact ${k}` }))),
      },
    });
    const live = h.stores.target.collection<LiveContact>('contacts');
    // u-2 already has c-0 in an older version: the dying attempt replaces it among the first half.
    await live.insertOne({ userId: 'u-2', recordId: 'c-0', updatedAt: LIVE_AT, data: { displayName: 'live' } });
    let landedFirst = 0;
    const die = async (writes: readonly LiveWrite[], _round: number, attempt: number) => {
      if (attempt !== 1) return;
      // Half the writes land, as the attempt's own would have, then the worker dies.
      const half = writes.slice(0, Math.ceil(writes.length / 2));
      await applyLiveWrites(h.stores.target, 'contacts', [...half], { campaignId: 'the-dying-attempt', snapshotId: 'test-snapshot', restoredAt: new Date() });
      landedFirst = half.length;
      throw new Error('the worker died mid-batch');
    };
    const activities = createActivities(h.stores, { beforeWrites: die });
    const report = await withActivities(h, activities, async () =>
      waitForCampaign(h.client, await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts'], batchSize: 3 }), undefined, 200),
    );

    expect(landedFirst).toBe(6);
    expect(report.state).toBe('completed');
    expect(report.categories.contacts!.records).toMatchObject({ restored: users.length * perUser, keptLive: 0, duplicates: 0 });
    const docs = await live.find({}).toArray();
    expect(docs.map((d) => `${d.userId}/${d.recordId}`).sort()).toEqual(users.flatMap((u) => Array.from({ length: perUser }, (_, k) => `${u}/c-${k}`)).sort());
    expect(docs.every((d) => d.data.displayName === `${d.userId} contact ${d.recordId.slice(2)}`)).toBe(true);
    const statuses = await controlCollections(h.stores.control).status.find({}).toArray();
    expect(statuses.map((s) => [s.userId, s.state, s.restored, s.attempts]).sort()).toEqual(users.map((u) => [u, 'restored', perUser, 2]));
  });
});
