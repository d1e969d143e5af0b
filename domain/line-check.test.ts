import { checkLine } from './line-check';
import { jcsSha256 } from './digest';
import type { Category } from './categories';
import { CATEGORY_TRAITS } from './category-traits';

const known = (u: string) => u === 'u-1';
const line = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ userId: 'u-1', recordId: 'r-1', updatedAt: '2009-09-30T18:02:11Z', data, sha256: jcsSha256(data), ...extra });
const codeOf = (raw: string, category: Category = 'contacts') => {
  const c = checkLine(raw, CATEGORY_TRAITS[category], known);
  return c.kind === 'valid' ? 'valid' : c.reason.code;
};

describe('checkLine', () => {
  it('accepts a valid line of each category', () => {
    expect(codeOf(line({ displayName: 'Ana', emails: [{ label: 'home', address: 'ana@example.com' }], phones: [{ number: '+1 (555) 010-9999' }], birthday: '1980-02-29' }))).toBe('valid');
    expect(codeOf(line({ title: 'Standup', start: '2009-09-30T09:00:00+02:00', end: '2009-09-30T07:30:00Z', reminders: [0, 40320] }), 'calendar')).toBe('valid');
    expect(codeOf(line({ body: '' }), 'notes')).toBe('valid');
    expect(codeOf(line({ completed: false, priority: 9 }), 'tasks')).toBe('valid');
    expect(codeOf(line({ filename: 'a.png', mimeType: 'image/png', bytes: 1, sha256: 'a'.repeat(64) }), 'photos')).toBe('valid');
    expect(codeOf(line({ game: 'Snake', score: Number.MAX_SAFE_INTEGER }), 'scores')).toBe('valid');
  });

  it('quarantines a string with an unpaired surrogate, which a store would keep as U+FFFD, and keeps paired ones', () => {
    expect(codeOf(line({ displayName: 'A\ud800' }).replace('A\ud800', 'A\\ud800'))).toBe('invalid-json');
    expect(codeOf(line({ displayName: 'smile 😀' }))).toBe('valid');
    expect(codeOf(line({ displayName: 'A', note: 'x' }).replace('"note":"x"', '"note":"\\udc00"'))).toBe('invalid-json');
  });

  it('names each broken rule', () => {
    expect(codeOf('{"userId":')).toBe('invalid-json');
    expect(codeOf('[1,2]')).toBe('invalid-json');
    expect(codeOf(line({ displayName: 'A' }, { userId: 'u 1' }))).toBe('bad-user-id');
    expect(codeOf(line({ displayName: 'A' }, { userId: 'u-2' }))).toBe('unknown-user');
    expect(codeOf(line({ displayName: 'A' }, { recordId: 'x'.repeat(129) }))).toBe('bad-record-id');
    expect(codeOf(line({ displayName: 'A' }, { sha256: 'f'.repeat(64) }))).toBe('digest-mismatch');
    expect(codeOf(line({ displayName: 'A' }, { updatedAt: '2009-09-30T18:02:11' }))).toBe('schema');
    expect(codeOf(line({ displayName: 'A' }, { extra: 1 }))).toBe('schema');
  });

  it('rejects data outside its category schema', () => {
    expect(codeOf(line({ givenName: 'no display name' }))).toBe('schema');
    expect(codeOf(line({ displayName: 'A', nickname: 'unknown field' }))).toBe('schema');
    expect(codeOf(line({ displayName: 'A', phones: [{ number: 'call me' }] }))).toBe('schema');
    expect(codeOf(line({ displayName: 'A', birthday: '1980-13-01' }))).toBe('schema');
    expect(codeOf(line({ start: '2009-09-30T10:00:00Z', end: '2009-09-30T09:59:59Z' }), 'calendar')).toBe('schema');
    expect(codeOf(line({ reminders: [40321] }), 'calendar')).toBe('schema');
    expect(codeOf(line({ title: 'no body' }), 'notes')).toBe('schema');
    expect(codeOf(line({ completed: 'yes' }), 'tasks')).toBe('schema');
    expect(codeOf(line({ mimeType: 'image/bmp' }), 'photos')).toBe('schema');
    expect(codeOf(line({ score: -1 }), 'scores')).toBe('schema');
  });

  it('counts lengths in characters, not UTF-16 units', () => {
    expect(codeOf(line({ displayName: '😀'.repeat(200) }))).toBe('valid');
    expect(codeOf(line({ displayName: '😀'.repeat(201) }))).toBe('schema');
  });

  it('says where the schema broke without repeating the value', () => {
    const c = checkLine(line({ displayName: 'A', emails: [{ address: 'secret-not-an-email' }] }), CATEGORY_TRAITS.contacts, known);
    expect(c.kind).toBe('quarantined');
    if (c.kind !== 'quarantined') return;
    expect(c.reason.message).toMatch(/^data\.emails\.0\.address: /);
    expect(c.reason.message).not.toContain('secret');
  });

  it('keeps the user and the record a bad line claims, so it counts as received', () => {
    const c = checkLine(line({ nope: 1 }), CATEGORY_TRAITS.contacts, known);
    expect(c).toMatchObject({ kind: 'quarantined', userId: 'u-1', recordId: 'r-1' });
    expect(checkLine(line({ displayName: 'A' }, { userId: 'u-9' }), CATEGORY_TRAITS.contacts, known)).toMatchObject({ userId: null, lineHash: null });
  });

  it('keeps strings exactly as recovered: the digest covers the unnormalized text', () => {
    const composed = { displayName: 'Chlo\u00e9' };
    const decomposed = { displayName: 'Chloe\u0301' };
    expect(codeOf(line(composed, { sha256: jcsSha256(decomposed) }))).toBe('digest-mismatch');
  });
});
