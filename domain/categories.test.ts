import { CATEGORIES, DEFAULT_POLICY, inWaveOrder, isCategory } from './categories';

describe('categories', () => {
  it('knows the six categories and nothing else', () => {
    for (const c of CATEGORIES) expect(isCategory(c)).toBe(true);
    for (const name of ['voicemail', 'Contacts', '', 'contacts ']) expect(isCategory(name)).toBe(false);
  });

  it('puts categories in wave order, each once', () => {
    expect(inWaveOrder(['scores', 'contacts', 'photos', 'contacts'])).toEqual(['contacts', 'photos', 'scores']);
    expect(inWaveOrder([])).toEqual([]);
  });

  it('keeps the newer version by default (docs/design.md §4)', () => {
    expect(DEFAULT_POLICY).toBe('keep-newer');
  });
});
