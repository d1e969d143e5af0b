/**
 * Where the live collection has the application's unique (userId, recordId) index and nothing
 * but the record id decides, a batch inserts first and reads only the users whose inserts
 * meet a document. It must end as reading first does: notes (unique index: inserts first)
 * and tasks (an index on userId only: reads first), over the same live situations, end in
 * the same states and counts, with a live read for each user who had something live, not
 * for every user.
 */
import { createActivities } from '../activities';
import { startCampaign, waitForCampaign } from '../client/campaigns';
import type { Category } from '../domain/categories';
import { controlCollections } from '../store/control/control-collections';
import { createHarness, type Harness, withActivities } from './helpers/campaign-runner';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const RECOVERED_AT = '2009-09-30T18:02:11Z';
const OLDER = new Date('2009-09-29T00:00:00Z');
const NEWER = new Date('2009-10-05T00:00:00Z');
const USERS = Array.from({ length: 20 }, (_, i) => `u-${String(i).padStart(2, '0')}`);
const DATA: Record<'notes' | 'tasks', (n: number) => Record<string, unknown>> = {
  notes: (n) => ({ body: `note ${n}` }),
  tasks: (n) => ({ title: `task ${n}`, completed: false }),
};

describe('a batch that inserts first', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('insfirst'));
  });
  afterAll(async () => h?.close());

  it('ends as reading first does, reading only the users who had something live', async () => {
    const categories = ['notes', 'tasks'] as const;
    const snapshotDir = await writeSnapshot({
      users: USERS.map((userId) => ({ userId, expected: { notes: 2, tasks: 2 } })),
      lines: Object.fromEntries(categories.map((c) => [c, USERS.flatMap((userId) => [1, 2].map((n) => recordLine(userId, `r-${n}`, RECOVERED_AT, DATA[c](n))))])),
    });
    await h.stores.target.collection('notes').createIndex({ userId: 1, recordId: 1 }, { unique: true });
    await h.stores.target.collection('tasks').createIndex({ userId: 1 });
    for (const c of categories) {
      // u-00 edited r-1 since (kept), u-01 has an older r-1 (replaced), u-02 a record of its own (left alone); the rest nothing.
      await h.stores.target.collection(c).insertMany([
        { userId: 'u-00', recordId: 'r-1', updatedAt: NEWER, data: DATA[c](100) },
        { userId: 'u-01', recordId: 'r-1', updatedAt: OLDER, data: DATA[c](101) },
        { userId: 'u-02', recordId: 'r-9', updatedAt: OLDER, data: DATA[c](102) },
      ]);
    }
    const finds = () => h.stores.commands[`${h.env.RESTORE_TARGET_DB}.find`] ?? 0;
    const run = async (category: Category) => {
      const before = finds();
      await withActivities(h, createActivities(h.stores), async () =>
        waitForCampaign(h.client, await startCampaign(h.client, h.env, { snapshotDir, categories: [category], policy: 'keep-newer' }), undefined, 200),
      );
      return finds() - before;
    };
    const readsOf = { notes: await run('notes'), tasks: await run('tasks') };

    const c = controlCollections(h.stores.control);
    const ended = async (category: Category) =>
      (await c.status.find({ category }).sort({ userId: 1 }).toArray()).map((s) => [s.userId, s.state, s.restored, s.keptLive, s.duplicates, s.error]);
    const live = async (category: Category) =>
      (await h.stores.target.collection(category).find({}).sort({ userId: 1, recordId: 1 }).toArray()).map((d) => [d.userId, d.recordId, d.restore ? 'restored' : 'live']);
    expect(await ended('notes')).toEqual(await ended('tasks'));
    expect(await live('notes')).toEqual(await live('tasks'));
    expect((await ended('notes')).slice(0, 3)).toEqual([
      ['u-00', 'restored', 1, 1, 0, null],
      ['u-01', 'restored', 2, 0, 0, null],
      ['u-02', 'restored', 2, 0, 0, null],
    ]);
    expect(await h.stores.target.collection('notes').countDocuments({ 'restore.campaignId': { $exists: true } })).toBe(USERS.length * 2 - 1);
    // Reading first: a read per user. Inserting first: the two users whose inserts met a
    // document, each read to tell a race from a refusal, then to decide again.
    expect(readsOf.tasks).toBeGreaterThanOrEqual(USERS.length);
    expect(readsOf.notes).toBeLessThanOrEqual(4);
  });
});
