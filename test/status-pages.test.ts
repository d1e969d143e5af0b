/**
 * Statuses marked a page at a time (store/control/status-writer.ts) end exactly as statuses
 * written per user do, a set of users that is not one page falls back to per-user writes
 * with the same result, and no status write ever removes an entry: a reader polling a
 * page's users while a wave rewrites them finds every one, every time.
 */
import { connectStores, type Stores } from '../store/mongo/connection';
import { type ControlCollections, controlCollections, ensureControlIndexes, type UserStatusDoc } from '../store/control/control-collections';
import { type UserOutcome, userStatusWriter } from '../store/control/status-writer';
import { isolatedEnv } from './helpers/test-env';

const users = ['u-1', 'u-2', 'u-3', 'u-4'];
const NOW = new Date('2026-11-26T08:00:00Z');
const LATER = new Date('2026-11-26T08:01:00Z');
const outcome = (userId: string): UserOutcome => ({ userId, expected: 3, received: 3, valid: 2, quarantined: 1, missing: 0, restored: 2, keptLive: 0, duplicates: 0 });

describe('statuses written a page at a time', () => {
  let stores: Stores;
  let c: ControlCollections;

  beforeAll(async () => {
    stores = await connectStores(isolatedEnv('statuspages'));
    c = controlCollections(stores.control);
    await ensureControlIndexes(c);
  });
  afterAll(async () => {
    await stores.control.dropDatabase();
    await stores.client.close();
  });

  /** A campaign's notes statuses, as support would read them: without keys and page tags. */
  const read = async (campaignId: string) =>
    (await c.status.find({ campaignId }, { sort: { userId: 1 } }).toArray()).map(({ _id, page, campaignId: _c, ...rest }: UserStatusDoc) => rest);

  /** A later wave of `batch` on statuses created pending for all four users, in one page when `paged`. */
  async function wave(campaignId: string, paged: boolean, batch: string[]) {
    const writer = userStatusWriter(c, campaignId, 'notes', paged ? () => `${campaignId}|notes|0` : undefined);
    await writer.initPending(
      users.map((userId) => ({ userId, expected: 3 })),
      NOW,
    );
    await writer.markRestoring(
      batch.map((userId) => ({ userId, expected: 3, attemptsBefore: userId === 'u-2' ? 2 : 0 })),
      1,
      NOW,
      false,
    );
    await writer.markDone(batch.map(outcome), LATER);
  }

  it('ends as per-user writes do, for a whole page and part of one', async () => {
    await wave('per-user', false, users);
    await wave('paged', true, users);
    expect(await c.status.countDocuments({ page: 'paged|notes|0' })).toBe(4);
    const expected = await read('per-user');
    expect(expected.map((s) => [s.userId, s.state, s.attempts])).toEqual([
      ['u-1', 'partial', 1],
      ['u-2', 'partial', 3],
      ['u-3', 'partial', 1],
      ['u-4', 'partial', 1],
    ]);
    expect(await read('paged')).toEqual(expected);

    await wave('part-per-user', false, ['u-2', 'u-3']);
    await wave('part-paged', true, ['u-2', 'u-3']);
    expect(await read('part-paged')).toEqual(await read('part-per-user'));
    expect((await read('part-paged')).map((s) => s.state)).toEqual(['pending', 'partial', 'partial', 'pending']);
  });

  it('a page marked restoring takes one update, and attempts only grow', async () => {
    const writer = userStatusWriter(c, 'one-update', 'notes', () => 'one-update|notes|0');
    await writer.initPending(
      users.map((userId) => ({ userId, expected: 3 })),
      NOW,
    );
    const updates = jest.spyOn(c.status, 'updateMany');
    await writer.markRestoring(
      users.map((userId) => ({ userId, expected: 3 })),
      2,
      NOW,
      false,
    );
    await writer.markRestoring(
      users.map((userId) => ({ userId, expected: 3 })),
      1,
      NOW,
      false,
    );
    expect(updates).toHaveBeenCalledTimes(2);
    updates.mockRestore();
    expect((await read('one-update')).map((s) => [s.state, s.attempts])).toEqual(users.map(() => ['restoring', 2]));
  });

  it("never removes a status: a reader polling the page's users while waves rewrite them finds all, every time", async () => {
    const campaignId = 'polled';
    const pageOf = () => `${campaignId}|notes|0`;
    await userStatusWriter(c, campaignId, 'notes', pageOf).initPending(
      users.map((userId) => ({ userId, expected: 3 })),
      NOW,
    );
    let writing = true;
    const seen: number[] = [];
    const reader = (async () => {
      while (writing) seen.push((await c.status.find({ campaignId, category: 'notes' }, { projection: { _id: 1 } }).toArray()).length);
    })();
    for (let attempt = 1; attempt <= 15; attempt++) {
      const writer = userStatusWriter(c, campaignId, 'notes', pageOf);
      await writer.markRestoring(
        users.map((userId) => ({ userId, expected: 3 })),
        attempt,
        NOW,
        false,
      );
      await writer.markDone(users.map(outcome), LATER);
    }
    writing = false;
    await reader;
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.filter((n) => n !== users.length)).toEqual([]);
  });
});
