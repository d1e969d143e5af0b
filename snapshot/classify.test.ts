import { CATEGORY_TRAITS } from '../domain/category-traits';
import { jcsSha256 } from '../domain/digest';
import { type ChunkEntry, classifyLines, FirstLines, judgeGroup } from './classify';
import type { NumberedLine } from './line-reader';

const data = (name: string) => ({ displayName: name });
const text = (recordId: string, name: string) => JSON.stringify({ userId: 'u-1', recordId, updatedAt: '2009-09-30T00:00:00Z', data: data(name), sha256: jcsSha256(data(name)) });
const numbered = (texts: string[], from = 1): NumberedLine[] => texts.map((t, i) => ({ number: from + i, text: t, at: 0, next: { byte: 0, line: from + i } }));

describe('classifyLines', () => {
  it('lets the first line of a record stand, ignores identical repeats and quarantines different ones', async () => {
    const firstLines = new FirstLines();
    const first = await classifyLines(numbered([text('a', 'Ana'), text('b', 'Ben')]), CATEGORY_TRAITS.contacts, '/nowhere', () => true, firstLines);
    expect(first.map((o) => o.kind)).toEqual(['valid', 'valid']);
    const later = await classifyLines(numbered([text('a', 'Ana'), text('b', 'Bob'), text('a', 'Ann')], 3), CATEGORY_TRAITS.contacts, '/nowhere', () => true, firstLines);
    expect(later.map((o) => o.kind)).toEqual(['ignored', 'quarantined', 'quarantined']);
    expect(later[1]).toMatchObject({ reason: { code: 'duplicate-conflict', message: expect.stringContaining('line 2') }, userId: 'u-1', recordId: 'b' });
  });

  it('lets a quarantined first line claim its record, so a later different line is a conflict', async () => {
    const bad = JSON.stringify({ userId: 'u-1', recordId: 'a', updatedAt: 'yesterday', data: data('A'), sha256: jcsSha256(data('A')) });
    const out = await classifyLines(numbered([bad, text('a', 'A')]), CATEGORY_TRAITS.contacts, '/nowhere', () => true, new FirstLines());
    expect(out.map((o) => (o.kind === 'quarantined' ? o.reason.code : o.kind))).toEqual(['schema', 'duplicate-conflict']);
  });

  it('treats a repeat within one batch like a repeat across batches', async () => {
    const out = await classifyLines(numbered([text('a', 'A'), text('a', 'A'), text('a', 'B')]), CATEGORY_TRAITS.contacts, '/nowhere', () => true, new FirstLines());
    expect(out.map((o) => o.kind)).toEqual(['valid', 'ignored', 'quarantined']);
  });

  it('answers a line classified again (a resumed run) as it did the first time', async () => {
    const firstLines = new FirstLines();
    const lines = numbered([text('a', 'A'), text('a', 'B')]);
    const once = await classifyLines(lines, CATEGORY_TRAITS.contacts, '/nowhere', () => true, firstLines);
    const twice = await classifyLines(lines, CATEGORY_TRAITS.contacts, '/nowhere', () => true, firstLines);
    expect(twice).toEqual(once);
  });
});

describe('judgeGroup', () => {
  const entry = (line: number, userId: string, recordId: string, lineHash: string, reason: ChunkEntry['reason'] = null, refused?: string): ChunkEntry => ({
    line,
    at: line * 100,
    end: line * 100 + 99,
    userId,
    recordId,
    lineHash,
    reason,
    refused,
    textHash: `t${line}`,
  });

  it("keeps each user's first line of a record, in file order, ignores identical repeats and quarantines the others", () => {
    const judged = judgeGroup([entry(1, 'u-1', 'a', 'h1'), entry(2, 'u-2', 'a', 'h2'), entry(3, 'u-1', 'a', 'h1'), entry(4, 'u-1', 'a', 'h9'), entry(5, 'u-1', 'b', 'h5')]);
    expect(judged.standing).toEqual(
      new Map([
        [
          'u-1',
          [
            [1, 100, 199, 't1'],
            [5, 500, 599, 't5'],
          ],
        ],
        ['u-2', [[2, 200, 299, 't2']]],
      ]),
    );
    expect(judged.ignored).toBe(1);
    expect(judged.bad.map(({ entry: { line }, reason }) => [line, reason.code, reason.message])).toEqual([[4, 'duplicate-conflict', expect.stringContaining('line 1')]]);
  });

  it('quarantines a first line bad on its own or refused by the store, which still claims its record', () => {
    const schema = { code: 'schema' as const, message: 'data.displayName: required' };
    const judged = judgeGroup([
      entry(1, 'u-1', 'a', 'h1', schema),
      entry(2, 'u-1', 'a', 'h2'),
      entry(3, 'u-1', 'b', 'h3', null, 'holds U+0000'),
      entry(4, 'u-1', 'b', 'h3', null, 'holds U+0000'),
    ]);
    expect(judged.standing.size).toBe(0);
    expect(judged.bad.map(({ entry: { line }, reason }) => [line, reason.code])).toEqual([
      [1, 'schema'],
      [2, 'duplicate-conflict'],
      [3, 'store-refused'],
    ]);
    expect(judged.ignored).toBe(1);
  });
});
