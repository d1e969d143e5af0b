import type { StagedLine } from '../../snapshot/read-back';
import { stagedLinesDocs, stagedPageDocs } from './staged-lines';

describe('stagedLinesDocs', () => {
  const lines = (n: number): StagedLine[] => Array.from({ length: n }, (_, i) => [i + 1, i * 10, i * 10 + 9, `h${i}`]);

  it("keeps a user's places in one document, tagged with its page", () => {
    const [doc, ...rest] = stagedLinesDocs('c', 'contacts', 'u-1', 'c|contacts|0', lines(3));
    expect(rest).toEqual([]);
    expect(doc).toEqual({ _id: 'c|contacts|u-1', campaignId: 'c', category: 'contacts', userId: 'u-1', page: 'c|contacts|0', linesJson: JSON.stringify(lines(3)) });
  });

  it('keeps a user with no line in one empty document, which stands over its page entry', () => {
    expect(stagedLinesDocs('c', 'contacts', 'u-1', 'c|contacts|0', []).map((d) => d.linesJson)).toEqual(['[]']);
  });

  it('splits a user with very many lines into documents under ids no record id gives, losing none', () => {
    const docs = stagedLinesDocs('c', 'contacts', 'u-1', undefined, lines(45_000));
    expect(docs.map((d) => d._id)).toEqual(['c|contacts|u-1', 'c|contacts|u-1|#1', 'c|contacts|u-1|#2']);
    expect(docs.flatMap((d) => JSON.parse(d.linesJson))).toEqual(lines(45_000));
    expect(docs.every((d) => d.userId === 'u-1' && !('page' in d))).toBe(true);
  });
});

describe('stagedPageDocs', () => {
  const lines = (n: number, from = 0): StagedLine[] => Array.from({ length: n }, (_, i) => [from + i + 1, i * 10, i * 10 + 9, `h${i}`]);

  it("packs a page's users into one document under an id that names the page, the group and the part", () => {
    const users: [string, StagedLine[]][] = [
      ['u-1', lines(2)],
      ['u-2', lines(3, 2)],
    ];
    expect(stagedPageDocs('c', 'notes', 'c|notes|4', 1, users)).toEqual([
      { _id: 'c|notes|4|#g1.0', campaignId: 'c', category: 'notes', page: 'c|notes|4', usersJson: JSON.stringify(users) },
    ]);
  });

  it('splits a page by lines held, and keeps a user of very many lines in documents of its own, losing none', () => {
    const users: [string, StagedLine[]][] = [
      ['u-1', lines(15_000)],
      ['u-2', lines(45_000)],
      ['u-3', lines(10_000)],
    ];
    const docs = stagedPageDocs('c', 'notes', 'c|notes|0', 0, users);
    expect(docs.map((d) => d._id)).toEqual(['c|notes|u-2', 'c|notes|u-2|#1', 'c|notes|u-2|#2', 'c|notes|0|#g0.0', 'c|notes|0|#g0.1']);
    const packed = docs.flatMap((d) => ('usersJson' in d ? (JSON.parse(d.usersJson) as [string, StagedLine[]][]) : []));
    expect(packed).toEqual([users[0], users[2]]);
    const own = docs.flatMap((d) => ('linesJson' in d ? [d] : []));
    expect(own.every((d) => d.userId === 'u-2' && d.page === 'c|notes|0')).toBe(true);
    expect(own.flatMap((d) => JSON.parse(d.linesJson))).toEqual(users[1][1]);
  });
});
