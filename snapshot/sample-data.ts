import type { Category } from '../domain/categories';
import { sha256Hex } from '../domain/digest';
import type { SeededRandom } from './random';

/** Realistic `data` for each category, and a way to break each category's schema. */

const GIVEN = ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Eun-ji', 'Farid', 'Grace', 'Hiro', 'Inés', 'Jamal', 'Kofi', 'Lena', 'Mateo', 'Nora', 'Oskar', 'Priya'];
const FAMILY = ['Okafor', 'Schmidt', 'García', 'Nguyen', 'Kowalski', 'Haddad', 'Silva', 'Tanaka', 'Novak', 'Murphy', 'Rossi', 'Johansson'];
const DOMAINS = ['example.com', 'example.org', 'mail.example.net'];
const PLACES = ['Office', 'Café on 3rd', 'Gym', 'Dentist', 'Airport', 'Home'];
const GAMES = ['Bubble Pop', 'Snake', 'Tetrix', 'Sudoku', 'Bowling'];
const OUTAGE = Date.UTC(2009, 9, 2);

/** A second-precision UTC date-time up to `maxDays` before the model outage (2009-10-02). */
export function isoBeforeOutage(rnd: SeededRandom, maxDays = 400): string {
  return new Date(OUTAGE - rnd.int(1, maxDays * 24 * 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function phone(rnd: SeededRandom): string {
  return rnd.pick([
    `+1 (555) ${rnd.int(100, 999)}-${rnd.int(1000, 9999)}`,
    `+44 20 ${rnd.int(1000, 9999)} ${rnd.int(1000, 9999)}`,
    `555.${rnd.int(100, 999)}.${rnd.int(1000, 9999)}`,
  ]);
}

function contactData(rnd: SeededRandom): Record<string, unknown> {
  const given = rnd.pick(GIVEN);
  const family = rnd.pick(FAMILY);
  const data: Record<string, unknown> = { displayName: `${given} ${family}`, givenName: given, familyName: family };
  if (rnd.chance(0.8))
    data.emails = [
      {
        label: 'home',
        address: `${given
          .normalize('NFD')
          .replace(/[^A-Za-z]/g, '')
          .toLowerCase()}.${rnd.int(1, 99999)}@${rnd.pick(DOMAINS)}`,
      },
    ];
  if (rnd.chance(0.7)) data.phones = [{ label: rnd.pick(['mobile', 'work', 'home']), number: phone(rnd) }];
  if (rnd.chance(0.2)) data.organization = rnd.pick(['Acme', 'Globex', 'Initech', 'Umbrella']);
  if (rnd.chance(0.2)) data.birthday = `19${rnd.int(50, 99)}-0${rnd.int(1, 9)}-1${rnd.int(0, 9)}`;
  return data;
}

/** What the generator needs of a category: how many records a user has, and what they hold. */
export interface CategorySample {
  /** Records per user: [min, max]. */
  perUser: [number, number];
  /** Realistic `data`; a category whose records name a blob returns the blob's bytes too. */
  make(rnd: SeededRandom): { data: Record<string, unknown>; blob?: Buffer };
  /** `data` broken against the category's schema by a rule of its own. */
  broken(data: Record<string, unknown>, rnd: SeededRandom): Record<string, unknown>;
}

/** One row per category, beside its traits (domain/category-traits.ts). */
export const SAMPLES: Record<Category, CategorySample> = {
  contacts: {
    perUser: [2, 20],
    make: (rnd) => ({ data: contactData(rnd) }),
    broken: (data) => ({ ...data, emails: [{ address: 'not-an-address' }] }),
  },
  calendar: {
    perUser: [0, 6],
    make: (rnd) => {
      const start = isoBeforeOutage(rnd);
      const end = new Date(Date.parse(start) + rnd.int(1, 8) * 1800_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return { data: { title: rnd.pick(['Standup', 'Lunch with Sam', 'Dentist', 'Flight home', 'Team offsite']), start, end, location: rnd.pick(PLACES), reminders: [15] } };
    },
    broken: (data) => ({ ...data, end: '2009-01-01T00:00:00Z', start: '2009-06-01T00:00:00Z' }),
  },
  notes: {
    perUser: [0, 4],
    make: (rnd) => ({
      data: {
        title: rnd.pick(['Groceries', 'Ideas', 'Gate code', 'Books to read']),
        body: `Note ${rnd.int(1, 1e6)}: ${'remember the milk. '.repeat(rnd.int(1, 20))}`,
        pinned: rnd.chance(0.1),
      },
    }),
    broken: (data) => ({ title: data.title }),
  },
  tasks: {
    perUser: [0, 5],
    make: (rnd) => ({
      data: { title: rnd.pick(['Call mum', 'Pay rent', 'Renew passport', 'Fix bike']), completed: rnd.chance(0.4), due: isoBeforeOutage(rnd), priority: rnd.int(1, 9) },
    }),
    broken: (data) => ({ ...data, completed: 'yes' }),
  },
  photos: {
    perUser: [0, 2],
    make: (rnd) => {
      // A tiny PNG-signed blob: enough to exercise digests and GridFS, small enough for CI.
      const blob = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), rnd.bytes(rnd.int(32, 256))]);
      return {
        data: { filename: `IMG_${rnd.int(1000, 9999)}.png`, mimeType: 'image/png', bytes: blob.length, sha256: sha256Hex(blob), takenAt: isoBeforeOutage(rnd), album: 'Camera' },
        blob,
      };
    },
    broken: (data) => ({ ...data, mimeType: 'image/bmp' }),
  },
  scores: {
    perUser: [0, 3],
    make: (rnd) => ({ data: { game: rnd.pick(GAMES), score: rnd.int(0, 1_000_000), achievedAt: isoBeforeOutage(rnd) } }),
    broken: (data) => ({ ...data, score: -1 }),
  },
};

/** Breaks `data` against its category's schema: an unknown field, or a rule of the category. */
export function breakSchema(sample: CategorySample, data: Record<string, unknown>, rnd: SeededRandom): Record<string, unknown> {
  if (rnd.chance(0.5)) return { ...data, legacyField: 'from the old schema' };
  return sample.broken(data, rnd);
}
