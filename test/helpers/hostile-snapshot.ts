/**
 * Builds a hostile snapshot: every way of DEVELOPERS' issue 8 in which a careless or
 * hostile producer can damage a restore-snapshot/v1 directory short of making it
 * unusable, each placed where it once did harm, with the outcome each line must have.
 * Made by code, not kept as files: NUL bytes, FIFOs and symlinks do not survive git.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Category } from '../../domain/categories';
import { sha256Hex } from '../../domain/digest';
import type { QuarantineCode } from '../../domain/line-check';
import { recordLine, writeSnapshot } from './snapshot-builder';

const T = '2009-09-30T18:02:11Z';
const BOM = '\ufeff';
/** Past the 1,000,000-character limit of a note's body, and of a kept raw line, by far. */
export const HUGE_LINE_CHARS = 50_000_000;

/** What must become of one record line. */
export type Expected = { restored: true } | { quarantined: QuarantineCode } | { restoredOrQuarantined: QuarantineCode };

export interface HostileSnapshot {
  dir: string;
  categories: Category[];
  /** Per category, per recordId, the required outcome of each line that names a record (the NUL-byte line names none: see nulByteLine). */
  outcomes: Partial<Record<Category, Record<string, Expected>>>;
  /** The line of contacts.ndjson holding a raw NUL byte, and its exact text. */
  nulByteLine: { line: number; text: string };
  /** The sha256 of the one blob that may reach GridFS. */
  goodBlob: string;
}

const note = (userId: string, recordId: string, body: string) => recordLine(userId, recordId, T, { title: `note ${recordId}`, body });
const contact = (userId: string, recordId: string, displayName: string) => recordLine(userId, recordId, T, { displayName });
const photo = (userId: string, recordId: string, bytes: Buffer) =>
  recordLine(userId, recordId, T, { filename: `${recordId}.png`, mimeType: 'image/png', bytes: bytes.length, sha256: sha256Hex(bytes) });

export async function writeHostileSnapshot(): Promise<HostileSnapshot> {
  const users = ['u-1', 'u-2', 'u-3'];
  // 37 notes; the first holds a \u0000 escape, which once made FerretDB refuse the whole
  // chunk of staged records while the code read the refusal as "all duplicates".
  const notes: object[] = [note('u-1', 'n-nul', 'before\u0000after')];
  for (let i = 1; i <= 36; i++) notes.push(note(users[i % 3], `n-${i}`, `body ${i}`));
  // A 50 MB line: quarantined for its body's length, its raw text kept cut.
  const hugeNote = JSON.stringify(note('u-2', 'n-huge', 'x'.repeat(HUGE_LINE_CHARS)));

  // A raw NUL byte inside a string: not JSON; its quarantine entry must still be storable.
  const nulByteText = `{"userId":"u-1","recordId":"c-nul","updatedAt":"${T}","data":{"displayName":"a\u0000b"},"sha256":"${'0'.repeat(64)}"}`;
  const contacts = [contact('u-1', 'c-1', 'Ana'), nulByteText, contact('u-2', 'c-2', 'Ben'), contact('u-3', 'c-3', 'Chloé')];

  const passwd = readFileSync('/etc/passwd');
  const inside = Buffer.from('bytes kept outside blobs/ but inside the snapshot');
  const fifo = Buffer.from('a blob that never ends');
  const zero = Buffer.alloc(64);
  const good = Buffer.from('a real photo');
  const photos = [photo('u-1', 'p-passwd', passwd), photo('u-1', 'p-inside', inside), photo('u-2', 'p-fifo', fifo), photo('u-2', 'p-zero', zero), photo('u-3', 'p-good', good)];

  const dir = await writeSnapshot({
    users: users.map((userId, i) => ({
      userId,
      expected: {
        contacts: i === 0 ? 2 : 1,
        notes: notes.filter((n) => (n as { userId: string }).userId === userId).length + (userId === 'u-2' ? 1 : 0),
        photos: photos.filter((p) => p.userId === userId).length,
        // A typo: counted nowhere, so it must be reported.
        ...(i === 0 ? ({ contcts: 3 } as object) : {}),
      },
    })),
    lines: { notes: [...notes, hugeNote], photos },
    blobs: [good],
  });
  // contacts.ndjson and users.ndjson: a byte-order mark and CRLF line ends, as an editor on another system writes them.
  await writeFile(join(dir, 'contacts.ndjson'), BOM + contacts.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\r\n') + '\r\n');
  const usersText = readFileSync(join(dir, 'users.ndjson'), 'utf8');
  await writeFile(join(dir, 'users.ndjson'), BOM + usersText.replace(/\n/g, '\r\n'));

  const blob = (b: Buffer) => join(dir, 'blobs', sha256Hex(b));
  await symlink('/etc/passwd', blob(passwd));
  await writeFile(join(dir, 'kept-aside'), inside);
  await symlink(join(dir, 'kept-aside'), blob(inside));
  execFileSync('mkfifo', [blob(fifo)]);
  await symlink('/dev/zero', blob(zero));

  const outcomes: HostileSnapshot['outcomes'] = {
    contacts: { 'c-1': { restored: true }, 'c-2': { restored: true }, 'c-3': { restored: true } },
    notes: {
      // FerretDB on PostgreSQL cannot keep U+0000 in text; MongoDB can.
      'n-nul': { restoredOrQuarantined: 'store-refused' },
      'n-huge': { quarantined: 'schema' },
      ...Object.fromEntries(notes.slice(1).map((n) => [(n as { recordId: string }).recordId, { restored: true }])),
    },
    photos: {
      'p-passwd': { quarantined: 'blob-not-regular' },
      'p-inside': { quarantined: 'blob-not-regular' },
      'p-fifo': { quarantined: 'blob-not-regular' },
      'p-zero': { quarantined: 'blob-not-regular' },
      'p-good': { restored: true },
    },
  };
  return { dir, categories: ['contacts', 'notes', 'photos'], outcomes, nulByteLine: { line: 2, text: nulByteText }, goodBlob: sha256Hex(good) };
}
