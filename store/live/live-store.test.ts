import { restoredId } from './live-store';

const record = (recordId: string, updatedAt = '2009-09-30T18:02:11Z') => ({ recordId, updatedAt, data: {}, sha256: 'x' });

describe('restoredId', () => {
  it('gives a record the same id every time, and other records other ids', () => {
    expect(restoredId('u-1', record('c-1')).equals(restoredId('u-1', record('c-1')))).toBe(true);
    expect(restoredId('u-1', record('c-1')).equals(restoredId('u-1', record('c-2')))).toBe(false);
    expect(restoredId('u-1', record('c-1')).equals(restoredId('u-2', record('c-1')))).toBe(false);
    // The separator keeps ("u-1", "2c") and ("u-12", "c") apart.
    expect(restoredId('u-1', record('2c')).equals(restoredId('u-12', record('c')))).toBe(false);
  });

  it("is an ObjectId whose time is the record's updatedAt", () => {
    expect(restoredId('u-1', record('c-1')).getTimestamp()).toEqual(new Date('2009-09-30T18:02:11Z'));
  });
});
