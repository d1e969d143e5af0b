/**
 * The ends a campaign's batches record per page (store/control/page-ends.ts), on the real
 * store: what the last wave and the closing report read back, a retried batch's record,
 * and the documents an earlier release kept a page's ends in.
 */
import type { Category } from '../domain/categories';
import { connectStores, type Stores } from '../store/mongo/connection';
import { type ControlCollections, controlCollections, ensureControlIndexes } from '../store/control/control-collections';
import { readCampaignEnds, readPageEnds, recordPageEnds, type UserEnd } from '../store/control/page-ends';
import { COUNT_FIELDS, countsOf } from '../store/control/campaign-report';
import { pageKey } from '../store/control/user-pages';
import { isolatedEnv } from './helpers/test-env';

const PAGE_LINES = 4;

function end(userId: string, restored: number, state: UserEnd['state'] = 'restored'): UserEnd {
  return { userId, state, counts: countsOf({ expected: restored, received: restored, valid: restored, restored }) };
}

/** Per user, per category, the restored count read back. */
function restoredOf(found: Map<string, Map<Category, UserEnd>>): Record<string, Record<string, number>> {
  return Object.fromEntries([...found].map(([userId, ends]) => [userId, Object.fromEntries([...ends].map(([cat, e]) => [cat, e.counts.restored]))]));
}

describe('page ends', () => {
  let stores: Stores;
  let c: ControlCollections;

  beforeAll(async () => {
    stores = await connectStores(isolatedEnv('page_ends'));
    c = controlCollections(stores.control);
    await ensureControlIndexes(c);
  });

  afterAll(async () => {
    await stores.control.dropDatabase();
    await stores.client.close();
  });

  it('reads back each category a page ended in, with a retried batch replacing what its earlier attempt recorded', async () => {
    // Lines of users.ndjson count from 1: u1–u4 are its first page, u5 and u6 its second.
    const users = [1, 2, 3, 4, 5, 6].map((line) => ({ userId: `u${line}`, line }));
    // Two batches of contacts, one per page; notes in one batch across both pages.
    await recordPageEnds(
      c,
      'ends',
      'contacts',
      users.slice(0, 4),
      users.slice(0, 4).map((u) => end(u.userId, 1)),
      PAGE_LINES,
    );
    await recordPageEnds(
      c,
      'ends',
      'contacts',
      users.slice(4),
      users.slice(4).map((u) => end(u.userId, 2)),
      PAGE_LINES,
    );
    await recordPageEnds(
      c,
      'ends',
      'notes',
      users,
      users.map((u) => end(u.userId, 3)),
      PAGE_LINES,
    );
    // The second contacts batch retried: its record stands, not the first attempt's.
    await recordPageEnds(c, 'ends', 'contacts', users.slice(4), [end('u5', 7, 'partial'), end('u6', 8)], PAGE_LINES);

    const firstPage = await readPageEnds(c, 'ends', [users[1]], PAGE_LINES);
    expect(restoredOf(firstPage)).toEqual({ u1: { contacts: 1, notes: 3 }, u2: { contacts: 1, notes: 3 }, u3: { contacts: 1, notes: 3 }, u4: { contacts: 1, notes: 3 } });
    const secondPage = await readPageEnds(c, 'ends', [users[4]], PAGE_LINES);
    expect(restoredOf(secondPage)).toEqual({ u5: { contacts: 7, notes: 3 }, u6: { contacts: 8, notes: 3 } });
    expect(secondPage.get('u5')!.get('contacts')!.state).toBe('partial');

    const all = await readCampaignEnds(c, 'ends');
    expect([...all.keys()].sort()).toEqual(['contacts', 'notes']);
    expect(all.get('contacts')!.get('u6')!.counts.restored).toBe(8);
    expect(all.get('notes')!.size).toBe(6);
  });

  it("reads a page's ends as an earlier release kept them, in one document per page, under what a batch records now", async () => {
    const page = pageKey('legacy', 'users', 1, PAGE_LINES);
    const stored = (e: UserEnd) => [e.userId, e.state, ...COUNT_FIELDS.map((f) => e.counts[f])].join(' ');
    await c.pageEnds.insertOne({
      _id: page,
      campaignId: 'legacy',
      ends: { contacts: { p1: [stored(end('u1', 4)), stored(end('u2', 4))] }, notes: { p1: [stored(end('u2', 5))] } },
    });
    // A batch of notes retried after the upgrade records u2 again; contacts stay as the earlier release kept them.
    await recordPageEnds(c, 'legacy', 'notes', [{ userId: 'u2', line: 2 }], [end('u2', 6)], PAGE_LINES);

    expect(restoredOf(await readPageEnds(c, 'legacy', [{ userId: 'u1', line: 1 }], PAGE_LINES))).toEqual({ u1: { contacts: 4 }, u2: { contacts: 4, notes: 6 } });
    const all = await readCampaignEnds(c, 'legacy');
    expect(all.get('contacts')!.size).toBe(2);
    expect(all.get('notes')!.get('u2')!.counts.restored).toBe(6);
  });
});
