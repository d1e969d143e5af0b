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
    expect(codeOf(line({ displayName: 'Ana', emails: [{ label: 'home', address: 'ana@example.com' }], phones: [{ number: '+1 (555) 010-9999' }], birthday: '1980-02-29' }))).toBe(
      'valid',
    );
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

describe('checkLine, reason by reason', () => {
  const check = (raw: string, category: Category = 'contacts') => checkLine(raw, CATEGORY_TRAITS[category], known);
  const reasonOf = (raw: string, category: Category = 'contacts') => {
    const c = check(raw, category);
    return c.kind === 'valid' ? 'valid' : { ...c.reason, userId: c.userId, recordId: c.recordId, hashed: c.lineHash !== null };
  };
  const idRule = 'must be 1–128 characters of [A-Za-z0-9._@+-]';

  it.each([
    ['{"userId":', 'line is not valid JSON'],
    ['[1,2]', 'line is not a JSON object'],
    ['null', 'line is not a JSON object'],
    ['"a string"', 'line is not a JSON object'],
    ['7', 'line is not a JSON object'],
  ])('%s is not a line: invalid-json, claiming nothing', (raw, message) => {
    expect(reasonOf(raw)).toEqual({ code: 'invalid-json', message, userId: null, recordId: null, hashed: false });
  });

  it('finds a lone surrogate in a nested key and in an array, past nulls and numbers', () => {
    const surrogate = 'line holds an unpaired UTF-16 surrogate escape, which is not I-JSON (RFC 7493) and no store keeps exactly';
    expect(reasonOf('{"userId":"u-1","data":{"n":null,"k":5,"list":["ok","\\ud801"]}}')).toEqual({
      code: 'invalid-json',
      message: surrogate,
      userId: null,
      recordId: null,
      hashed: false,
    });
    expect(reasonOf('{"userId":"u-1","data":{"a":{"\\udc01":1}}}')).toMatchObject({ code: 'invalid-json', message: surrogate });
  });

  it('names a bad or unknown user and a bad record id, keeping what the line claims', () => {
    expect(reasonOf(line({ displayName: 'A' }, { userId: 5 }))).toEqual({ code: 'bad-user-id', message: `userId: ${idRule}`, userId: null, recordId: null, hashed: false });
    expect(reasonOf(line({ displayName: 'A' }, { userId: 'u 1' }))).toMatchObject({ code: 'bad-user-id' });
    expect(reasonOf(line({ displayName: 'A' }, { userId: 'u-2' }))).toEqual({
      code: 'unknown-user',
      message: 'userId is not in users.ndjson',
      userId: null,
      recordId: null,
      hashed: false,
    });
    expect(reasonOf(line({ displayName: 'A' }, { recordId: undefined }))).toEqual({
      code: 'bad-record-id',
      message: `recordId: ${idRule}`,
      userId: 'u-1',
      recordId: null,
      hashed: false,
    });
    expect(reasonOf(line({ displayName: 'A' }, { recordId: 'r/1' }))).toMatchObject({ code: 'bad-record-id', userId: 'u-1' });
  });

  it('names the field a schema rule broke, and the digest that does not match', () => {
    expect(reasonOf(line({ displayName: 'A' }, { updatedAt: '2009-09-30' }))).toEqual({
      code: 'schema',
      message: 'updatedAt: must be an ISO-8601 date-time with an offset',
      userId: 'u-1',
      recordId: 'r-1',
      hashed: true,
    });
    expect(reasonOf(line({ displayName: '' }))).toMatchObject({ code: 'schema', message: 'data.displayName: must be 1–200 characters' });
    expect(reasonOf(line({ displayName: 'A', note: 'x'.repeat(10_001) }))).toMatchObject({ code: 'schema', message: 'data.note: must be at most 10000 characters' });
    expect(reasonOf(line({ displayName: 'A', birthday: '1980-1-1' }))).toMatchObject({ message: 'data.birthday: must be a YYYY-MM-DD date' });
    expect(reasonOf(line({ start: '2009-09-30T10:00:00Z', end: '2009-09-30T09:00:00Z' }), 'calendar')).toMatchObject({ message: 'data.end: end must not be before start' });
    expect(reasonOf(line({ displayName: 'A' }, { sha256: 'g'.repeat(64) }))).toMatchObject({ code: 'schema', message: 'sha256: must be 64 hex digits' });
    expect(reasonOf(line({ displayName: 'A' }, { sha256: 'F'.repeat(64) }))).toEqual({
      code: 'digest-mismatch',
      message: 'sha256 does not match the canonical form of data',
      userId: 'u-1',
      recordId: 'r-1',
      hashed: true,
    });
  });

  it('accepts a digest in upper case, as hex is', () => {
    const data = { displayName: 'A' };
    expect(reasonOf(line(data, { sha256: jcsSha256(data).toUpperCase() }))).toBe('valid');
  });
});
