import { blobBytes, blobDigest, CATEGORY_TRAITS, contactMatchKeys } from './category-traits';
import { type LiveDocument, planUser, type RecoveredRecord, recoveredOf } from './restore-plan';

const rec = (recordId: string, updatedAt: string, data: Record<string, unknown> = { displayName: 'A' }, sha256 = `sha-${recordId}`): RecoveredRecord => ({
  recordId,
  updatedAt,
  data,
  sha256,
});
const live = (recordId: string, updatedAt: string, extra: Partial<LiveDocument> = {}): LiveDocument => ({
  _id: `id-${recordId}`,
  userId: 'u',
  recordId,
  updatedAt: new Date(updatedAt),
  data: { displayName: 'live' },
  ...extra,
});
const actions = (plan: Map<string, { action: string }>) => Object.fromEntries([...plan].map(([k, d]) => [k, d.action]));

describe('planUser', () => {
  const T = '2009-09-30T12:00:00Z';

  it('keep-newer keeps a later live document and replaces an earlier or equal one', () => {
    const plan = planUser(
      CATEGORY_TRAITS.notes,
      [rec('a', T), rec('b', T), rec('c', T), rec('d', T)],
      [live('a', '2009-10-01T00:00:00Z'), live('b', '2009-09-01T00:00:00Z'), live('c', T)],
      'keep-newer',
      true,
    );
    expect(actions(plan)).toEqual({ a: 'keep-live', b: 'replace', c: 'replace', d: 'insert' });
  });

  it('overwrite replaces, keep-live never touches', () => {
    const newer = [live('a', '2009-10-01T00:00:00Z')];
    expect(actions(planUser(CATEGORY_TRAITS.notes, [rec('a', T)], newer, 'overwrite', true))).toEqual({ a: 'replace' });
    expect(actions(planUser(CATEGORY_TRAITS.notes, [rec('a', T)], [live('a', '2009-01-01T00:00:00Z')], 'keep-live', true))).toEqual({ a: 'keep-live' });
  });

  it('leaves a record already restored untouched, whatever the policy', () => {
    const restored = live('a', T, { restore: { campaignId: 'c', snapshotId: 's', sha256: 'sha-a', restoredAt: new Date() } });
    for (const policy of ['keep-newer', 'overwrite', 'keep-live'] as const) {
      expect(actions(planUser(CATEGORY_TRAITS.notes, [rec('a', T)], [restored], policy, true))).toEqual({ a: 'present' });
    }
  });

  it('finds contacts the user re-entered by normalized e-mail or phone digits', () => {
    const reentered = [live('x', T, { data: { displayName: 'B', emails: [{ address: ' Bo@Example.COM ' }], phones: [{ number: '+1 (555) 010-2000' }] } })];
    const byEmail = rec('e', T, { displayName: 'Bo', emails: [{ address: 'bo@example.com' }] });
    const byPhone = rec('p', T, { displayName: 'Bo', phones: [{ number: '15550102000' }] });
    const other = rec('o', T, { displayName: 'Cy', emails: [{ address: 'cy@example.com' }] });
    expect(actions(planUser(CATEGORY_TRAITS.contacts, [byEmail, byPhone, other], reentered, 'keep-newer', true))).toEqual({ e: 'duplicate', p: 'duplicate', o: 'insert' });
    expect(actions(planUser(CATEGORY_TRAITS.contacts, [byEmail], reentered, 'keep-newer', false))).toEqual({ e: 'insert' });
  });

  it('does not count restored contacts as re-entered, nor de-duplicate other categories', () => {
    const ours = [live('x', T, { data: { emails: [{ address: 'bo@example.com' }] }, restore: { campaignId: 'c', snapshotId: 's', sha256: 'other', restoredAt: new Date() } })];
    expect(actions(planUser(CATEGORY_TRAITS.contacts, [rec('e', T, { displayName: 'Bo', emails: [{ address: 'bo@example.com' }] })], ours, 'keep-newer', true))).toEqual({
      e: 'insert',
    });
    const note = [live('x', T, { data: { emails: [{ address: 'bo@example.com' }] } })];
    expect(actions(planUser(CATEGORY_TRAITS.notes, [rec('e', T, { emails: [{ address: 'bo@example.com' }] })], note, 'keep-newer', true))).toEqual({ e: 'insert' });
  });

  it('decides the recordId conflict before de-duplication', () => {
    const sameId = [live('e', '2009-01-01T00:00:00Z', { data: { emails: [{ address: 'bo@example.com' }] } })];
    expect(actions(planUser(CATEGORY_TRAITS.contacts, [rec('e', T, { displayName: 'Bo', emails: [{ address: 'bo@example.com' }] })], sameId, 'keep-newer', true))).toEqual({
      e: 'replace',
    });
  });
});

describe('contactMatchKeys', () => {
  it('trims and lower-cases e-mails, keeps only phone digits, skips empty ones', () => {
    expect(contactMatchKeys({ emails: [{ address: ' A@B.C ' }, { address: '  ' }], phones: [{ number: '+44 (20) 7946-0000' }, { number: '()' }] })).toEqual([
      'email:a@b.c',
      'phone:442079460000',
    ]);
  });
});

describe('contactMatchKeys on what a live document may hold', () => {
  it('skips addresses and numbers that are not strings, and data with neither list', () => {
    expect(contactMatchKeys({ emails: [{ address: 5 }, {}], phones: [{ number: 5551234 }, {}] })).toEqual([]);
    expect(contactMatchKeys({ displayName: 'A' })).toEqual([]);
  });

  it('makes a recovered contact a duplicate when any one of its keys was re-entered', () => {
    const twoEmails = rec('c-1', '2009-09-30T12:00:00Z', { displayName: 'A', emails: [{ address: 'old@example.com' }, { address: 'kept@example.com' }] });
    const reentered = live('app-1', '2026-01-01T00:00:00Z', { data: { displayName: 'A', emails: [{ address: 'kept@example.com' }] } });
    expect(actions(planUser(CATEGORY_TRAITS.contacts, [twoEmails], [reentered], 'keep-newer', true))).toEqual({ 'c-1': 'duplicate' });
  });
});

describe('the blob a photo names', () => {
  const blob = CATEGORY_TRAITS.photos.blob!;
  it('is read from its digest and size fields only when they have the right type, into the bucket photos', () => {
    expect(blob.bucket).toBe('photos');
    expect(blobDigest(blob, { sha256: 'AB'.repeat(32) })).toBe('ab'.repeat(32));
    expect(blobDigest(blob, { sha256: 12 })).toBeUndefined();
    expect(blobBytes(blob, { bytes: 42 })).toBe(42);
    expect(blobBytes(blob, { bytes: '42' })).toBeUndefined();
  });
});

describe('recoveredOf', () => {
  it('keeps the record of a valid line, its digest in lower case', () => {
    const data = { displayName: 'A' };
    expect(recoveredOf({ userId: 'u', recordId: 'r', updatedAt: '2009-09-30T12:00:00Z', data, sha256: 'AB'.repeat(32) })).toEqual({
      recordId: 'r',
      updatedAt: '2009-09-30T12:00:00Z',
      data,
      sha256: 'ab'.repeat(32),
    });
  });
});
