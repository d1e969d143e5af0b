import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CATEGORIES, type Category } from '../domain/categories';
import { blobDigest, CATEGORY_TRAITS } from '../domain/category-traits';
import { jcsSha256, sha256Hex } from '../domain/digest';
import { InputError } from '../domain/errors';
import { snapshotFiles } from './layout';
import { endStream, writeChunk } from './write-stream';
import { SeededRandom } from './random';
import { breakSchema, isoBeforeOutage, SAMPLES } from './sample-data';

export interface GenerateOptions {
  users: number;
  seed: string;
  /** Share of record lines, 0..1, written broken in one of the ways of {@link CORRUPTIONS}. */
  corruptRate: number;
  onProgress?: (usersDone: number) => void;
}

/** Each way a line can break a rule of docs/design.md §3, and the rest of what makes a user partial. */
export const CORRUPTIONS = [
  'invalid-json',
  'schema',
  'digest-mismatch',
  'unknown-user',
  'bad-record-id',
  'duplicate-conflict',
  'identical-repeat',
  'blob-missing',
  'blob-mismatch',
  'missing-record',
] as const;
export type Corruption = (typeof CORRUPTIONS)[number];

export interface GenerateSummary {
  snapshotId: string;
  users: number;
  lines: Record<Category, number>;
  corruptions: Record<Corruption, number>;
}

/** Users whose lines are shuffled together: users interleave in every file, memory stays bounded. */
const USERS_PER_CHUNK = 500;

/**
 * Creates `dir` and the parents it lacks, one at a time. Not `mkdir(…, {recursive: true})`:
 * where the file system answers ENOENT under a parent that exists (as /proc does), node's
 * loops for good at full CPU.
 */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir || (await stat(parent).catch(() => null))) throw err;
    await makeDirectory(parent);
    await mkdir(dir);
  }
}

/**
 * Writes a synthetic restore-snapshot/v1 directory: realistic records of all six
 * categories, and with a corrupt rate, lines that break each rule of §3. The same
 * seed writes the same bytes. Refuses a non-empty directory rather than mixing snapshots.
 */
export async function generateSnapshot(dir: string, options: GenerateOptions): Promise<GenerateSummary> {
  const existing = await stat(dir).catch(() => null);
  if (existing && !existing.isDirectory()) throw new InputError(`${dir} exists and is not a directory: choose a new directory for the snapshot`);
  await makeDirectory(dir).catch((err: NodeJS.ErrnoException) => {
    const why = {
      ENOTDIR: 'a parent is not a directory',
      EACCES: 'permission denied',
      ENOENT: 'this file system takes no new folder there',
      EROFS: 'the file system is read-only',
    }[err.code ?? ''];
    throw new InputError(`cannot create ${dir}: ${why ?? err.message}`, { cause: err });
  });
  if ((await readdir(dir)).length > 0) throw new InputError(`${dir} is not empty: choose a new directory for the snapshot`);
  await mkdir(join(dir, 'blobs'));
  const rnd = new SeededRandom(options.seed);
  const snapshotId = `synthetic-${sha256Hex(`${options.seed}/${options.users}/${options.corruptRate}`).slice(0, 12)}`;
  const summary: GenerateSummary = {
    snapshotId,
    users: options.users,
    lines: Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>,
    corruptions: Object.fromEntries(CORRUPTIONS.map((c) => [c, 0])) as Record<Corruption, number>,
  };
  const usersOut = createWriteStream(snapshotFiles.users(dir));
  const out = Object.fromEntries(CATEGORIES.map((c) => [c, createWriteStream(snapshotFiles.category(dir, c))])) as Record<Category, WriteStream>;
  let recordNo = 0;

  for (let first = 0; first < options.users; first += USERS_PER_CHUNK) {
    const chunk = Object.fromEntries(CATEGORIES.map((c) => [c, [] as string[]])) as Record<Category, string[]>;
    const later = Object.fromEntries(CATEGORIES.map((c) => [c, [] as string[]])) as Record<Category, string[]>;
    let userLines = '';
    for (let u = first; u < Math.min(options.users, first + USERS_PER_CHUNK); u++) {
      const userId = `u-${String(u + 1).padStart(7, '0')}`;
      const expected: Record<string, number> = {};
      for (const category of CATEGORIES) {
        const sample = SAMPLES[category];
        const blobTrait = CATEGORY_TRAITS[category].blob;
        const [min, max] = sample.perUser;
        const count = rnd.int(min, max);
        expected[category] = count;
        for (let k = 0; k < count; k++) {
          recordNo += 1;
          const recordId = `${category.slice(0, 2)}-${recordNo}`;
          const { data, blob } = sample.make(rnd);
          const line = { userId, recordId, updatedAt: isoBeforeOutage(rnd, 30), data, sha256: jcsSha256(data) };
          const corruption = rnd.chance(options.corruptRate) ? pickCorruption(category, rnd) : null;
          if (corruption) summary.corruptions[corruption] += 1;
          if (blob && blobTrait && corruption !== 'blob-missing') {
            await writeFile(snapshotFiles.blob(dir, blobDigest(blobTrait, data)!), corruption === 'blob-mismatch' ? Buffer.concat([blob, Buffer.from([0])]) : blob);
          }
          switch (corruption) {
            case 'invalid-json':
              chunk[category].push(JSON.stringify(line).slice(0, -7));
              break;
            case 'schema': {
              const broken = breakSchema(sample, data, rnd);
              chunk[category].push(JSON.stringify({ ...line, data: broken, sha256: jcsSha256(broken) }));
              break;
            }
            case 'digest-mismatch':
              chunk[category].push(JSON.stringify({ ...line, sha256: sha256Hex(`not ${line.sha256}`) }));
              break;
            case 'bad-record-id':
              chunk[category].push(JSON.stringify({ ...line, recordId: `${recordId} (copy)` }));
              break;
            case 'unknown-user':
              chunk[category].push(JSON.stringify(line), JSON.stringify({ ...line, userId: `ghost-${recordNo}` }));
              break;
            case 'duplicate-conflict': {
              const other = sample.make(rnd).data;
              chunk[category].push(JSON.stringify(line));
              later[category].push(JSON.stringify({ ...line, data: other, sha256: jcsSha256(other) }));
              break;
            }
            case 'identical-repeat':
              chunk[category].push(JSON.stringify(line));
              later[category].push(JSON.stringify(line));
              break;
            case 'missing-record':
              break;
            default:
              chunk[category].push(JSON.stringify(line));
          }
        }
      }
      userLines += `${JSON.stringify({ userId, expected })}\n`;
      options.onProgress?.(u + 1);
    }
    await writeChunk(usersOut, userLines);
    for (const category of CATEGORIES) {
      // Repeats go after the lines they repeat: the first line in file order stands.
      const lines = [...rnd.shuffle(chunk[category]), ...later[category]];
      summary.lines[category] += lines.length;
      if (lines.length) await writeChunk(out[category], `${lines.join('\n')}\n`);
    }
  }
  await Promise.all([endStream(usersOut), ...CATEGORIES.map((c) => endStream(out[c]))]);
  const manifest = { format: 'restore-snapshot/v1', snapshotId, takenAt: '2009-10-10T00:00:00Z', outageStartedAt: '2009-10-02T00:00:00Z' };
  await writeFile(snapshotFiles.manifest(dir), `${JSON.stringify(manifest, null, 2)}\n`);
  return summary;
}

function pickCorruption(category: Category, rnd: SeededRandom): Corruption {
  const kinds = CORRUPTIONS.filter((c) => CATEGORY_TRAITS[category].blob !== null || !c.startsWith('blob-'));
  return rnd.pick(kinds);
}
