import type { StagedLine } from '../../snapshot/read-back';
import { stagedLinesDocs } from './staged-lines';

describe('stagedLinesDocs', () => {
  const lines = (n: number): StagedLine[] => Array.from({ length: n }, (_, i) => [i + 1, i * 10, i * 10 + 9, `h${i}`]);

  it("keeps a user's places in one document, tagged with its page", () => {
    const [doc, ...rest] = stagedLinesDocs('c', 'contacts', 'u-1', 'c|contacts|0', lines(3));
    expect(rest).toEqual([]);
    expect(doc).toEqual({ _id: 'c|contacts|u-1', campaignId: 'c', category: 'contacts', userId: 'u-1', page: 'c|contacts|0', linesJson: JSON.stringify(lines(3)) });
  });

  it('splits a user with very many lines into documents under ids no record id gives, losing none', () => {
    const docs = stagedLinesDocs('c', 'contacts', 'u-1', undefined, lines(45_000));
    expect(docs.map((d) => d._id)).toEqual(['c|contacts|u-1', 'c|contacts|u-1|#1', 'c|contacts|u-1|#2']);
    expect(docs.flatMap((d) => JSON.parse(d.linesJson))).toEqual(lines(45_000));
    expect(docs.every((d) => d.userId === 'u-1' && !('page' in d))).toBe(true);
  });
});
