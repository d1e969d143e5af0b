import { z } from 'zod';

/**
 * The schemas of docs/design.md §3: the record line and the `data` of each category.
 * Every object is strict (unknown fields are rejected); lengths count Unicode code
 * points, since the recovered strings are kept exactly as they are.
 */

const codePoints = (s: string) => Array.from(s).length;

/** A string of `min`..`max` characters. */
export function text(min: number, max: number) {
  return z.string().refine(
    (s) => {
      // A code point is one or two UTF-16 units: a string out of range by its length alone is
      // not counted, so a 50 MB line costs no 50-million-entry array.
      if (s.length < min || s.length > 2 * max) return false;
      const n = codePoints(s);
      return n >= min && n <= max;
    },
    min > 0 ? `must be ${min}–${max} characters` : `must be at most ${max} characters`,
  );
}

export const ID_PATTERN = /^[A-Za-z0-9._@+-]{1,128}$/;
export const Id = z.string().regex(ID_PATTERN, 'must be 1–128 characters of [A-Za-z0-9._@+-]');
export const Sha256Hex = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits');
/** ISO-8601 date-time with a `Z` or `±hh:mm` offset. */
export const DateTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with an offset' });
/** `YYYY-MM-DD`. */
export const DateOnly = z.iso.date({ message: 'must be a YYYY-MM-DD date' });
export const int = (min: number, max: number) => z.number().int().min(min).max(max);

export const Contact = z.strictObject({
  displayName: text(1, 200),
  givenName: text(0, 100).optional(),
  familyName: text(0, 100).optional(),
  emails: z
    .array(z.strictObject({ label: text(0, 40).optional(), address: z.email() }))
    .max(20)
    .optional(),
  phones: z
    .array(z.strictObject({ label: text(0, 40).optional(), number: z.string().regex(/^\+?[0-9 ()\-.]{3,32}$/) }))
    .max(20)
    .optional(),
  organization: text(0, 200).optional(),
  birthday: DateOnly.optional(),
  note: text(0, 10_000).optional(),
});

export const CalendarEvent = z
  .strictObject({
    title: text(1, 500).optional(),
    start: DateTime.optional(),
    end: DateTime.optional(),
    allDay: z.boolean().optional(),
    location: text(0, 500).optional(),
    recurrence: text(0, 500).optional(),
    reminders: z.array(int(0, 40_320)).max(10).optional(),
  })
  .refine((e) => e.start === undefined || e.end === undefined || Date.parse(e.end) >= Date.parse(e.start), {
    message: 'end must not be before start',
    path: ['end'],
  });

export const Note = z.strictObject({
  title: text(0, 500).optional(),
  body: text(0, 1_000_000),
  pinned: z.boolean().optional(),
});

export const Task = z.strictObject({
  title: text(1, 500).optional(),
  completed: z.boolean(),
  due: DateTime.optional(),
  completedAt: DateTime.optional(),
  priority: int(1, 9).optional(),
});

export const Photo = z.strictObject({
  filename: text(1, 255).optional(),
  mimeType: z.enum(['image/jpeg', 'image/png', 'image/gif']).optional(),
  bytes: int(1, 52_428_800).optional(),
  sha256: Sha256Hex.optional(),
  takenAt: DateTime.optional(),
  album: text(0, 200).optional(),
});

export const Score = z.strictObject({
  game: text(1, 100).optional(),
  score: int(0, Number.MAX_SAFE_INTEGER).optional(),
  achievedAt: DateTime.optional(),
});

/** One line of a category file, before its `data` is checked against the category. */
export const RecordLine = z.strictObject({
  userId: Id,
  recordId: Id,
  updatedAt: DateTime,
  data: z.record(z.string(), z.unknown()),
  sha256: Sha256Hex,
});
export type RecordLine = z.infer<typeof RecordLine>;

/** A line of users.ndjson. A category absent from `expected` means 0 expected. */
export const UserLine = z.strictObject({
  userId: Id,
  expected: z.record(z.string(), int(0, Number.MAX_SAFE_INTEGER)).default({}),
});
export type UserLine = z.infer<typeof UserLine>;

export const Manifest = z.object({
  format: z.literal('restore-snapshot/v1'),
  snapshotId: z.string().min(1).max(200),
  takenAt: DateTime,
  outageStartedAt: DateTime.optional(),
});
export type Manifest = z.infer<typeof Manifest>;

/** Formats the first issue of a failed parse as `path: message`, with no values from the input. */
export function describeIssue(error: z.ZodError, prefix = ''): string {
  const issue = error.issues[0];
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
