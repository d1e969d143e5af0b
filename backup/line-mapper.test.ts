import { Binary, BSON, ObjectId } from 'bson';
import { jcsSha256 } from '../domain/digest';
import type { CategoryMap } from './import-map';
import { addTally, emptyTally, mapRun, positionOf, RunLines } from './line-mapper';

const map: CategoryMap = {
  collection: 'notes',
  userId: 'owner',
  recordId: '_id',
  updatedAt: 'at',
  data: { title: 'title', body: 'body.text', kind: { const: 'note' } },
};
const origin = { file: '/dump/app/notes.bson', gz: false };
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

const owner = (n: number) => new ObjectId(n.toString(16).padStart(24, '0'));
/** Twelve notes of three owners, every third with a body no line can hold. */
const docs = Array.from({ length: 12 }, (_, i) => ({
  _id: i + 1,
  owner: owner(Math.floor(i / 4)),
  at: new Date(Date.UTC(2009, 8, 1, 0, 0, i)),
  title: `Note ${i}`,
  body: { text: i % 3 === 0 ? new Binary(Buffer.from('x')) : `text ${i}` },
}));
const runOf = (list: typeof docs, offset: number) => ({ bytes: Buffer.concat(list.map((d) => BSON.serialize(d))), offset });

describe('mapRun', () => {
  it('writes a line per document with data in canonical form and its digest, ids as strings, absent values left out', () => {
    const tally = emptyTally();
    const mapped = mapRun(runOf(docs.slice(1, 2), 0), origin, map, tally);
    const line = JSON.parse(text(mapped.lines));
    expect(line).toEqual({
      userId: owner(0).toHexString(),
      recordId: '2',
      updatedAt: '2009-09-01T00:00:01Z',
      data: { body: 'text 1', kind: 'note', title: 'Note 1' },
      sha256: jcsSha256(line.data),
    });
    expect(text(mapped.lines)).toBe(`${JSON.stringify({ userId: line.userId, recordId: '2', updatedAt: line.updatedAt, data: line.data, sha256: line.sha256 })}\n`);
    const bare = mapRun(runOf([{ _id: 9 } as never], 0), origin, map, tally);
    expect(JSON.parse(text(bare.lines))).toEqual({ recordId: '9', data: { kind: 'note' }, sha256: jcsSha256({ kind: 'note' }) });
    expect(bare.userIds).toEqual([]);
  });

  it('maps runs cut anywhere into the same lines, owners and problems as one run', () => {
    const whole = emptyTally();
    const one = mapRun(runOf(docs, 0), origin, map, whole);
    const cut = 5;
    const firstBytes = runOf(docs.slice(0, cut), 0).bytes.length;
    const parts = [mapRun(runOf(docs.slice(0, cut), 0), origin, map, emptyTally()), mapRun(runOf(docs.slice(cut), firstBytes), origin, map, emptyTally())];
    const tallies = [emptyTally(), emptyTally()];
    const again = [mapRun(runOf(docs.slice(0, cut), 0), origin, map, tallies[0]), mapRun(runOf(docs.slice(cut), firstBytes), origin, map, tallies[1])];
    const summed = emptyTally();
    for (const t of tallies) addTally(summed, t);

    expect(parts.map((p) => text(p.lines)).join('')).toBe(text(one.lines));
    // A run leaves out repeats within itself; the import's set of users takes care of the rest.
    expect([...new Set(again.flatMap((p) => p.userIds))]).toEqual(one.userIds);
    expect(one.userIds).toEqual([0, 1, 2].map((n) => owner(n).toHexString()));
    expect(summed).toEqual(whole);
    expect(whole.problems).toEqual({ Binary: { 'data.body': 4 } });
    expect(whole.examples.map((e) => e.position)).toEqual([0, 3, 6, 9].map((i) => ({ file: origin.file, offset: runOf(docs.slice(0, i), 0).bytes.length })));
  });

  it('keeps the first five examples of problems, in source order, however the runs fall', () => {
    const many = Array.from({ length: 8 }, () => ({ ...emptyTally(), problemCount: 1, examples: [{ kind: 'Binary', field: 'data.x', position: { _id: 'a' } }] }));
    many.forEach((t, i) => (t.examples[0].position = { _id: String(i) }));
    const into = emptyTally();
    for (const t of many) addTally(into, t);
    expect(into.problemCount).toBe(8);
    expect(into.examples.map((e) => e.position)).toEqual(['0', '1', '2', '3', '4'].map((_id) => ({ _id })));
  });
});

describe('RunLines', () => {
  it('keeps every line, and leaves out an owner only when it repeats the line before', () => {
    const lines = new RunLines(0);
    for (const userId of ['a', 'a', 'b', 'a', 7, 'a']) lines.add({ text: `${String(userId)}\n`, userId });
    const done = lines.done();
    expect({ ...done, lines: text(done.lines) }).toEqual({ lines: 'a\na\nb\na\n7\na\n', documents: 6, userIds: ['a', 'b', 'a'] });
  });

  it('writes lines as UTF-8, whole, however far past its first room they grow', () => {
    const lines = new RunLines(10);
    const texts = Array.from({ length: 300 }, (_, i) => `{"n":${i},"s":"${'é🙂'.repeat(i % 7)}"}\n`);
    for (const t of texts) lines.add({ text: t, userId: undefined });
    expect(text(lines.done().lines)).toBe(texts.join(''));
  });
});

describe('positionOf', () => {
  it("places a dump's document by file and offset, a database's by its _id", () => {
    const doc = { _id: owner(5) };
    expect(positionOf(origin, 120, doc)).toEqual({ file: origin.file, offset: 120 });
    expect(positionOf({ database: 'recovered', collection: 'notes' }, null, doc)).toEqual({ _id: owner(5).toHexString() });
  });
});
