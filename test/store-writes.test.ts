/**
 * The idempotent-write helper against the real store: a document the store refuses is
 * pinned on itself, every other document of its command still lands, a taken key is
 * reported as taken, and nothing is read as taken that was not.
 */
import type { Collection } from 'mongodb';
import { writeIdempotent } from '../store/bulk';
import { applyLiveWrites, type LiveWrite } from '../store/live-store';
import { type Stores, connectStores } from '../store/connection';
import { isolatedEnv } from './helpers/test-env';

interface TestDoc {
  _id: string;
  v?: string;
  n?: number;
}

describe('writeIdempotent on the real store', () => {
  let stores: Stores;
  let docs: Collection<TestDoc>;

  beforeAll(async () => {
    stores = await connectStores(isolatedEnv('writes'));
    docs = stores.target.collection<TestDoc>('docs');
  });
  afterAll(async () => {
    await stores.target.dropDatabase();
    await stores.client.close();
  });

  it('pins a refused document on itself, writes the rest, and reports taken keys as taken', async () => {
    await docs.insertOne({ _id: 'taken', v: 'earlier' });
    const ops = ['a', 'b', 'nul', 'taken', 'c'].map((id) => ({ insertOne: { document: { _id: id, v: id === 'nul' ? 'x\u0000y' : id } } }));
    const result = await writeIdempotent(docs, ops, 500);

    // FerretDB writes a command's documents up to the refused one, so the one-by-one retry finds
    // those already there: taken, by this very call, with its own content.
    expect(result.taken).toContain(3);
    for (const i of result.taken.filter((i) => i !== 3)) expect((await docs.findOne({ _id: ops[i].insertOne.document._id }))!.v).toBe(ops[i].insertOne.document.v);
    const stored = (await docs.find({}).toArray()).map((d) => d._id).sort();
    // MongoDB keeps U+0000 in a string; FerretDB on PostgreSQL refuses it, and must say so.
    if (stored.includes('nul')) expect(result.refused).toEqual([]);
    else expect(result.refused).toEqual([{ index: 2, reason: expect.stringMatching(/^the store refused it: /) }]);
    expect(stored.filter((id) => id !== 'nul')).toEqual(['a', 'b', 'c', 'taken']);
    expect((await docs.findOne({ _id: 'taken' }))!.v).toBe('earlier');
  });

  it('applies replaces filtered on a version, and refuses only the one the store cannot keep', async () => {
    await docs.insertMany([{ _id: 'r1', n: 1 }, { _id: 'r2', n: 1 }]);
    const result = await writeIdempotent(
      docs,
      [
        { replaceOne: { filter: { _id: 'r1', n: 1 }, replacement: { n: 2, v: 'bad\u0000' } } },
        { replaceOne: { filter: { _id: 'r2', n: 1 }, replacement: { n: 2 } } },
      ],
      20,
    );
    // FerretDB on PostgreSQL refuses U+0000 and keeps r1 as it was; MongoDB stores it. Either way the answer says which.
    const r1 = await docs.findOne({ _id: 'r1' });
    expect(result.refused.map((r) => r.index)).toEqual(r1!.n === 1 ? [0] : []);
    expect((await docs.findOne({ _id: 'r2' }))!.n).toBe(2);
  });

  it('misses a document whose version changed since it was read, and says not all landed', async () => {
    const contacts = stores.target.collection('contacts');
    const seenAt = new Date('2009-09-29T00:00:00Z');
    await contacts.insertMany([
      { userId: 'u-1', recordId: 'c-1', updatedAt: seenAt, data: { displayName: 'as read' } },
      { userId: 'u-1', recordId: 'c-2', updatedAt: seenAt, data: { displayName: 'as read' } },
    ]);
    const [stale, current] = await contacts.find({}).sort({ recordId: 1 }).toArray();
    await contacts.updateOne({ _id: stale._id }, { $set: { updatedAt: new Date('2026-01-01T00:00:00Z'), 'data.displayName': 'edited since' } });
    const record = (recordId: string) => ({ recordId, updatedAt: '2009-09-30T18:02:11Z', data: { displayName: 'recovered' }, sha256: 'x' });
    const writes: LiveWrite[] = [stale, current].map((live) => ({ kind: 'replace', userId: 'u-1', record: record(live.recordId), live: live as never }));
    const applied = await applyLiveWrites(stores.target, 'contacts', writes, { campaignId: 'c', snapshotId: 's', restoredAt: new Date() });

    expect(applied).toEqual({ refused: [], allLanded: false });
    const after = await contacts.find({}, { projection: { _id: 0, recordId: 1, 'data.displayName': 1 } }).sort({ recordId: 1 }).toArray();
    expect(after).toEqual([
      { recordId: 'c-1', data: { displayName: 'edited since' } },
      { recordId: 'c-2', data: { displayName: 'recovered' } },
    ]);
    const again = await applyLiveWrites(stores.target, 'contacts', writes.slice(1), { campaignId: 'c', snapshotId: 's', restoredAt: new Date() });
    expect(again.allLanded).toBe(false); // c-2 now holds the restored version, not the one read
  });
});
