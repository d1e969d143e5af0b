import { z } from 'zod';
import { CalendarEvent, Contact, describeIssue, Photo, Sha256Hex, Task, text, UserLine } from './record-schemas';

const ok = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;

describe('text', () => {
  it('takes min..max code points, counting a surrogate pair as one', () => {
    const t = text(2, 4);
    expect([ok(t, 'a'), ok(t, 'ab'), ok(t, 'abcd'), ok(t, 'abcde')]).toEqual([false, true, true, false]);
    expect([ok(t, '😀😀😀😀'), ok(t, '😀😀😀😀😀')]).toEqual([true, false]);
    // Longer than twice the limit in UTF-16 units: refused by its length alone.
    expect(ok(text(0, 3), 'abcdefg')).toBe(false);
    expect(ok(text(0, 3), '')).toBe(true);
  });

  it('says the range in words', () => {
    expect(describeIssue(text(2, 4).safeParse('a').error!)).toBe('must be 2–4 characters');
    expect(describeIssue(text(0, 4).safeParse('abcde').error!)).toBe('must be at most 4 characters');
  });
});

describe('the category schemas', () => {
  it('take phone numbers whole, not a number inside other text', () => {
    const phones = (number: string) => ok(Contact, { displayName: 'A', phones: [{ number }] });
    expect([phones('+1 (555) 010-9999'), phones('x+1 555 0100'), phones('+1 555 0100x'), phones('12')]).toEqual([true, false, false, false]);
  });

  it('take a digest of exactly 64 hex digits', () => {
    expect([ok(Sha256Hex, 'a'.repeat(64)), ok(Sha256Hex, `x${'a'.repeat(64)}`), ok(Sha256Hex, `${'a'.repeat(64)}x`), ok(Sha256Hex, 'a'.repeat(63))]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('let an event end when it starts, or leave either end open', () => {
    const at = '2009-09-30T10:00:00Z';
    expect([ok(CalendarEvent, { start: at, end: at }), ok(CalendarEvent, { start: at }), ok(CalendarEvent, { end: at })]).toEqual([true, true, true]);
    expect(ok(CalendarEvent, { start: at, end: '2009-09-30T09:59:59Z' })).toBe(false);
  });

  it('take the three image types and priorities 1 to 9', () => {
    for (const mimeType of ['image/jpeg', 'image/png', 'image/gif']) expect([mimeType, ok(Photo, { mimeType })]).toEqual([mimeType, true]);
    expect([0, 1, 9, 10, 1.5].map((priority) => ok(Task, { completed: true, priority }))).toEqual([false, true, true, false, false]);
  });
});

describe('UserLine', () => {
  it('names the rule a user id breaks, and counts absent categories as none expected', () => {
    expect(describeIssue(UserLine.safeParse({ userId: 'u 1' }).error!)).toBe('userId: must be 1–128 characters of [A-Za-z0-9._@+-]');
    expect(UserLine.parse({ userId: 'u-1' })).toEqual({ userId: 'u-1', expected: {} });
  });
});

describe('describeIssue', () => {
  it('names the path under a prefix, and the message alone at the root', () => {
    const rootIssue = z.string().safeParse(5).error!;
    expect(describeIssue(rootIssue)).toBe(rootIssue.issues[0].message);
    expect(describeIssue(rootIssue, 'data')).toBe(`data: ${rootIssue.issues[0].message}`);
    expect(describeIssue(Task.safeParse({ completed: 'no' }).error!, 'data')).toMatch(/^data\.completed: /);
  });
});
