/**
 * Statuses written a page at a time (store/status-writer.ts) end exactly as statuses
 * written per user do, and a set of users that is not one page, or a page whose statuses
 * a crash left missing, falls back to per-user writes with the same result.
 */
import { connectStores, type Stores } from '../store/connection';
import { type ControlCollections, controlCollections, ensureControlIndexes, type UserStatusDoc } from '../store/control-collections';
import { type UserOutcome, userStatusWriter } from '../store/status-writer';
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
  async function wave(campaignId: string, paged: boolean, batch: string[], lose?: boolean) {
    const writer = userStatusWriter(c, campaignId, 'notes', paged ? () => `${campaignId}|notes|0` : undefined);
    await writer.initPending(users.map((userId) => ({ userId, expected: 3 })), NOW);
    await writer.markRestoring(batch.map((userId) => ({ userId, expected: 3, attemptsBefore: userId === 'u-2' ? 2 : 0 })), 1, NOW, false);
    // A crash between a page's delete and its insert: the retry finds the page empty.
    if (lose) await c.status.deleteMany({ campaignId });
    await writer.markDone(batch.map(outcome), LATER);
  }

  it('ends as per-user writes do, for a whole page, part of one, and a page a crash emptied', async () => {
    await wave('per-user', false, users);
    // The page's path is taken: the restoring mark and the end each delete the page once.
    const deletes = jest.spyOn(c.status, 'deleteMany');
    await wave('paged', true, users);
    expect(deletes.mock.calls).toEqual([[{ page: 'paged|notes|0' }], [{ page: 'paged|notes|0' }]]);
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
    deletes.mockClear();
    await wave('part-paged', true, ['u-2', 'u-3']);
    expect(deletes).not.toHaveBeenCalled();
    expect(await read('part-paged')).toEqual(await read('part-per-user'));
    expect((await read('part-paged')).map((s) => s.state)).toEqual(['pending', 'partial', 'partial', 'pending']);

    await wave('lost', true, users, true);
    expect((await read('lost')).map((s) => [s.userId, s.state, s.restored])).toEqual(expected.map((s) => [s.userId, s.state, s.restored]));
  });
});
