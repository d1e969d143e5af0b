import { endsPage, pageKey, pageOfLine } from './user-pages';

describe('pages of users.ndjson', () => {
  it('numbers pages from 0, each holding `pageLines` lines from line 1', () => {
    expect([1, 2, 3, 4, 5].map((line) => pageOfLine(line, 2))).toEqual([0, 0, 1, 1, 2]);
    expect(pageOfLine(100, 100)).toBe(0);
    expect(pageOfLine(101, 100)).toBe(1);
  });

  it('ends a page on its last line only', () => {
    expect([1, 2, 3, 4].map((line) => endsPage(line, 2))).toEqual([false, true, false, true]);
    expect(endsPage(99, 100)).toBe(false);
  });

  it('tags the users of one page of one campaign and category alike, and no others', () => {
    expect(pageKey('c-1', 'contacts', 1, 100)).toBe(pageKey('c-1', 'contacts', 100, 100));
    expect(pageKey('c-1', 'contacts', 100, 100)).not.toBe(pageKey('c-1', 'contacts', 101, 100));
    expect(pageKey('c-1', 'contacts', 1, 100)).not.toBe(pageKey('c-1', 'notes', 1, 100));
    expect(pageKey('c-1', 'contacts', 1, 100)).not.toBe(pageKey('c-2', 'contacts', 1, 100));
  });
});
