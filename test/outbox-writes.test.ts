/**
 * How the outbox files events (store/control/outbox.ts), on the real store: a batch's write
 * as few documents, a retry that files only what its earlier attempt did not, events filed
 * alone keyed by their transition, and readers that get each event once from either kind.
 */
import { connectStores, type Stores } from '../store/mongo/connection';
import { type ControlCollections, controlCollections, ensureControlIndexes } from '../store/control/control-collections';
import { countsOf } from '../store/control/campaign-report';
import { type EndEvent, eventKey, MAX_EVENTS_PER_WRITE_DOC, type OutboxEvent, SETTLE_MS, writeEvents } from '../store/control/outbox';
import { followEvents, storedEvents } from './helpers/outbox';
import { isolatedEnv } from './helpers/test-env';

function ended(campaignId: string, userId: string, restored = 1): EndEvent {
  return { campaignId, userId, category: 'notes', state: 'restored', counts: countsOf({ expected: restored, received: restored, valid: restored, restored }) };
}

/** Every event of a campaign a follower reads, from the first, once all have settled. */
async function followAll(c: ControlCollections, campaignId: string): Promise<OutboxEvent[]> {
  // A follower starts from the hour the campaign was created in.
  await c.campaigns.insertOne({
    _id: campaignId,
    snapshotDir: '/nowhere',
    snapshotId: 'none',
    categories: ['notes'],
    policies: {},
    dedupe: false,
    users: 0,
    staging: {},
    state: 'completed',
    createdAt: new Date(Date.now() - 60_000),
    finishedAt: new Date(),
  });
  return (await followEvents(c, campaignId, 700, new Date(Date.now() + SETTLE_MS + 10_000))).read;
}

describe('outbox writes', () => {
  let stores: Stores;
  let c: ControlCollections;

  beforeAll(async () => {
    stores = await connectStores(isolatedEnv('outbox_writes'));
    c = controlCollections(stores.control);
    await ensureControlIndexes(c);
  });

  afterAll(async () => {
    await stores.control.dropDatabase();
    await stores.client.close();
  });

  it("files a batch's events as a few documents, and a retry only the events its earlier attempt did not", async () => {
    const users = Array.from({ length: MAX_EVENTS_PER_WRITE_DOC + 200 }, (_, i) => `u${i}`);
    const first = users.slice(0, 1000).map((u) => ended('batched', u));
    await writeEvents(c, first, { retried: false, writer: 'wf/run/1' });
    expect(await c.outbox.countDocuments({ campaignId: 'batched' })).toBe(1);
    // The retry ends every user, the first 1000 as before (one with other counts: the first filing stands).
    const retry = users.map((u, i) => ended('batched', u, i === 0 ? 2 : 1));
    await writeEvents(c, retry, { retried: true, writer: 'wf/run/1' });
    expect(await c.outbox.countDocuments({ campaignId: 'batched' })).toBe(2);
    // The same write again, as a third attempt: nothing new.
    await writeEvents(c, retry, { retried: true, writer: 'wf/run/1' });
    expect(await c.outbox.countDocuments({ campaignId: 'batched' })).toBe(2);

    const stored = await storedEvents(c, 'batched');
    expect(stored.map((e) => e._id).sort()).toEqual(retry.map(eventKey).sort());
    const read = await followAll(c, 'batched');
    expect(read.map((e) => e._id).sort()).toEqual(retry.map(eventKey).sort());
    expect(read.find((e) => e.userId === 'u0')).toEqual({
      _id: eventKey(first[0]),
      campaignId: 'batched',
      userId: 'u0',
      category: 'notes',
      state: 'restored',
      counts: first[0].counts,
      at: expect.any(Date),
    });
  });

  it('files events alone under their transition, a repeat by any writer being a no-op, and reads them with the batched ones', async () => {
    await writeEvents(c, [ended('mixed', 'u1'), ended('mixed', 'u2')], { retried: false, writer: 'wf/run/7' });
    await writeEvents(c, [ended('mixed', 'u2'), ended('mixed', 'u3'), { ...ended('mixed', 'u1'), category: null }], { retried: false });
    await writeEvents(c, [ended('mixed', 'u3')], { retried: false });
    expect(await c.outbox.countDocuments({ campaignId: 'mixed' })).toBe(4);
    // u2's notes were filed twice, by different writers: a follower reads them once from a slot (twice only if the writes fell in two).
    const read = await followAll(c, 'mixed');
    expect([...new Set(read.map((e) => `${e.userId} ${e.category}`))].sort()).toEqual(['u1 notes', 'u1 null', 'u2 notes', 'u3 notes']);
    const filings = new Set((await storedEvents(c, 'mixed')).map((e) => `${e.slot} ${e._id}`));
    expect(read).toHaveLength(filings.size);
  });
});
