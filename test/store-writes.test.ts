/**
 * The idempotent-write helper against the real store: a document the store refuses is
 * pinned on itself, every other document of its command still lands, a taken key is
 * reported as taken, and nothing is read as taken that was not.
 */
import type { Collection } from 'mongodb';
import type { LiveDocument } from '../domain/restore-plan';
import { bulkWriteInChunks, WRITE_BATCH, writeIdempotent } from '../store/mongo/bulk';
import { applyLiveWrites, type LiveWrite, restoredDocument, restoredId } from '../store/live/live-store';
import { type Stores, connectStores } from '../store/mongo/connection';
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
    await docs.insertMany([
      { _id: 'r1', n: 1 },
      { _id: 'r2', n: 1 },
    ]);
    const result = await writeIdempotent(
      docs,
      [{ replaceOne: { filter: { _id: 'r1', n: 1 }, replacement: { n: 2, v: 'bad\u0000' } } }, { replaceOne: { filter: { _id: 'r2', n: 1 }, replacement: { n: 2 } } }],
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

    expect(applied).toEqual({ refused: [], racedUsers: new Set(['u-1']) });
    const after = await contacts
      .find({}, { projection: { _id: 0, recordId: 1, 'data.displayName': 1 } })
      .sort({ recordId: 1 })
      .toArray();
    expect(after).toEqual([
      { recordId: 'c-1', data: { displayName: 'edited since' } },
      { recordId: 'c-2', data: { displayName: 'recovered' } },
    ]);
    const again = await applyLiveWrites(stores.target, 'contacts', writes.slice(1), { campaignId: 'c', snapshotId: 's', restoredAt: new Date() });
    expect(again.racedUsers).toEqual(new Set(['u-1'])); // c-2 now holds the restored version, not the one read
  });

  it('sends commands of the batch size, counts what matched nothing, and places taken keys by their index in all the operations', async () => {
    const chunked = stores.target.collection<TestDoc>('chunked');
    await chunked.insertMany([
      { _id: 'k3', v: 'earlier' },
      { _id: 'm1', n: 1 },
    ]);
    let commands = 0;
    const result = await writeIdempotent(
      chunked,
      [
        ...['k0', 'k1', 'k2', 'k3', 'k4'].map((id) => ({ insertOne: { document: { _id: id, v: 'new' } } })),
        { replaceOne: { filter: { _id: 'm1', n: 2 }, replacement: { n: 3 } } },
        { replaceOne: { filter: { _id: 'm1', n: 1 }, replacement: { n: 4 } } },
      ],
      2,
      () => (commands += 1),
    );
    expect(result).toEqual({ taken: [3], refused: [], missed: 1 });
    expect(commands).toBe(4);
    expect((await chunked.find({}).sort({ _id: 1 }).toArray()).map((d) => [d._id, d.v ?? d.n])).toEqual([
      ['k0', 'new'],
      ['k1', 'new'],
      ['k2', 'new'],
      ['k3', 'earlier'],
      ['k4', 'new'],
      ['m1', 4],
    ]);
  });

  it('writes more statements than a command holds in several commands, every one of them', async () => {
    const many = stores.target.collection<TestDoc>('many');
    let commands = 0;
    await bulkWriteInChunks(
      many,
      Array.from({ length: 45 }, (_, i) => ({ insertOne: { document: { _id: `d${i}`, n: i } } })),
      () => (commands += 1),
    );
    expect([commands, await many.countDocuments()]).toEqual([Math.ceil(45 / WRITE_BATCH), 45]);
  });
});

describe('applyLiveWrites on the real store', () => {
  let stores: Stores;
  const provenance = { campaignId: 'c-1', snapshotId: 's-1', restoredAt: new Date('2026-12-01T00:00:00Z') };
  const record = (recordId: string, data: Record<string, unknown> = { displayName: recordId }) => ({
    recordId,
    updatedAt: '2009-09-30T18:02:11Z',
    data,
    sha256: `sha-${recordId}`,
  });
  const collection = (name: string) => stores.target.collection<LiveDocument>(name);

  beforeAll(async () => {
    stores = await connectStores(isolatedEnv('livewrites_store'));
  });
  afterAll(async () => {
    await stores.target.dropDatabase();
    await stores.client.close();
  });

  it('inserts and replaces in one call, each as the restored document with its provenance, and says all landed', async () => {
    const live = collection('contacts');
    await live.insertOne({ _id: 'live-1' as never, userId: 'u-1', recordId: 'r-old', updatedAt: new Date('2009-01-01T00:00:00Z'), data: { displayName: 'old' } });
    const seen = (await live.findOne({ recordId: 'r-old' }))!;
    const writes: LiveWrite[] = [
      { kind: 'insert', userId: 'u-1', record: record('r-new') },
      { kind: 'replace', userId: 'u-1', record: record('r-old'), live: seen },
    ];
    expect(await applyLiveWrites(stores.target, 'contacts', writes, provenance)).toEqual({ refused: [], racedUsers: new Set() });
    const docs = await live.find({}).sort({ recordId: 1 }).toArray();
    expect(docs).toEqual([
      { _id: restoredId('u-1', record('r-new')), ...restoredDocument('u-1', record('r-new'), provenance) },
      { _id: 'live-1', ...restoredDocument('u-1', record('r-old'), provenance) },
    ]);
    expect(docs[0].restore).toEqual({ ...provenance, sha256: 'sha-r-new' });
  });

  it('reads an insert whose document an earlier attempt wrote as a race to decide again, not a refusal', async () => {
    const live = collection('notes');
    const write: LiveWrite = { kind: 'insert', userId: 'u-1', record: record('r-1') };
    await live.insertOne({ _id: restoredId('u-1', write.record), ...restoredDocument('u-1', write.record, provenance) } as never);
    expect(await applyLiveWrites(stores.target, 'notes', [write], provenance)).toEqual({ refused: [], racedUsers: new Set([write.userId]) });
    expect(await live.countDocuments()).toBe(1);
  });

  it("refuses, naming the index, an insert or a replace that an application's unique index refuses, and writes the rest", async () => {
    const live = collection('calendar');
    await live.createIndex({ userId: 1, 'data.title': 1 }, { unique: true, name: 'one_title_per_user' });
    await live.insertMany([
      { userId: 'u-1', recordId: 'app-1', updatedAt: new Date(), data: { title: 'Standup' } },
      { userId: 'u-1', recordId: 'r-2', updatedAt: new Date('2009-01-01T00:00:00Z'), data: { title: 'Old title' } },
    ] as never);
    const seen = (await live.findOne({ recordId: 'r-2' }))!;
    const clash = record('r-1', { title: 'Standup' });
    const writes: LiveWrite[] = [
      { kind: 'insert', userId: 'u-1', record: clash },
      { kind: 'insert', userId: 'u-1', record: record('r-3', { title: 'Retro' }) },
      { kind: 'replace', userId: 'u-1', record: record('r-2', { title: 'Standup' }), live: seen },
    ];
    const applied = await applyLiveWrites(stores.target, 'calendar', writes, provenance);
    const reason = "the application's unique index `one_title_per_user` refuses it";
    expect(applied.refused.map((r) => [r.write.record.recordId, r.reason]).sort()).toEqual([
      ['r-1', reason],
      ['r-2', reason],
    ]);
    // Refused, not raced: nothing to decide again, and r-3 landed.
    expect(applied.racedUsers).toEqual(new Set());
    expect((await live.find({}).sort({ recordId: 1 }).toArray()).map((d) => [d.recordId, d.data!.title])).toEqual([
      ['app-1', 'Standup'],
      ['r-2', 'Old title'],
      ['r-3', 'Retro'],
    ]);
  });

  it('refuses a record the store cannot keep, pinned on that record alone', async () => {
    const live = collection('tasks');
    const writes: LiveWrite[] = [
      { kind: 'insert', userId: 'u-1', record: record('r-nul', { title: 'bad\u0000' }) },
      { kind: 'insert', userId: 'u-1', record: record('r-ok', { title: 'fine' }) },
    ];
    const applied = await applyLiveWrites(stores.target, 'tasks', writes, provenance);
    const stored = (await live.find({}).toArray()).map((d) => d.recordId).sort();
    // FerretDB on PostgreSQL refuses U+0000 in a string; MongoDB keeps it.
    if (stored.includes('r-nul')) expect(applied).toEqual({ refused: [], racedUsers: new Set() });
    else expect(applied.refused.map((r) => [r.write.record.recordId, r.reason])).toEqual([['r-nul', expect.stringMatching(/^the store refused it: /)]]);
    expect(stored).toContain('r-ok');
  });
});
