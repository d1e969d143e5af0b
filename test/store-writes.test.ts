/**
 * The idempotent-write helper against the real store: a document the store refuses is
 * pinned on itself, every other document of its command still lands, a taken key is
 * reported as taken, and nothing is read as taken that was not.
 */
import type { Collection } from 'mongodb';
import { writeIdempotent } from '../store/bulk';
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
    const r1 = await docs.findOne({ _id: 'r1' });
    if (r1!.n === 1) expect(result.refused.map((r) => r.index)).toEqual([0]);
    expect((await docs.findOne({ _id: 'r2' }))!.n).toBe(2);
  });
});
