/**
 * `restorectl snapshot import`: a backup becomes a checked snapshot. From a mongodump
 * directory written as mongodump writes one (ObjectId owners, BSON dates, nested paths,
 * missing fields, nulls, types no line can hold, a gzipped collection, a catalog of users),
 * and from a recovered database on the stack, whose import is byte for byte the dump's.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Binary, Long, ObjectId } from 'bson';
import { loadSampleBackup, sampleBackup } from '../backup/sample-backup';
import { openDatabaseSource, openDumpSource } from '../backup/sources';
import { importSnapshot, type ImportReport } from '../backup/import-snapshot';
import type { ImportMap } from '../backup/import-map';
import { CATEGORIES } from '../domain/categories';
import { generateSnapshot } from '../snapshot/generate';
import { verifySnapshot } from '../snapshot/verify';
import { connectStores, type Stores } from '../store/mongo/connection';
import { cli } from './helpers/cli';
import { bsonFile, writeDump } from './helpers/dump-builder';
import { isolatedEnv } from './helpers/test-env';

const owner = (n: number) => new ObjectId(`5f1d7c3e9a1b2c3d4e5f6a${n.toString(16).padStart(2, '0')}`);
const at = (s: string) => new Date(s);

const contactsMap: ImportMap = {
  format: 'restorectl-import-map/v1',
  users: { collection: 'accounts', userId: '_id', expected: { contacts: 'counts.contacts' } },
  categories: {
    contacts: {
      collection: 'contacts',
      userId: 'owner',
      recordId: '_id',
      updatedAt: 'modifiedAt',
      data: { displayName: 'name.display', emails: 'emails', organization: { const: 'Danger' }, note: 'note' },
    },
  },
};

const contactDocs = [
  {
    _id: new ObjectId('6000000000000000000000a1'),
    owner: owner(1),
    modifiedAt: at('2009-09-30T18:02:11Z'),
    name: { display: 'Ana' },
    emails: [{ address: 'ana@example.com' }],
    note: null,
  },
  // A note held as Binary: no line can hold it; the line is written with a marker and quarantined.
  { _id: new ObjectId('6000000000000000000000a2'), owner: owner(1), modifiedAt: at('2009-09-30T18:03:00.500Z'), name: { display: 'Bo' }, note: new Binary(Buffer.from('x')) },
  // No name at all: the line lacks displayName and is quarantined by the schema.
  { _id: new ObjectId('6000000000000000000000a3'), owner: owner(2), modifiedAt: at('2009-09-29T08:00:00Z') },
  { _id: new ObjectId('6000000000000000000000a4'), owner: owner(2), modifiedAt: at('2009-09-29T09:00:00Z'), name: { display: 'Cy' }, note: Long.fromString('9007199254740993') },
];
const accounts = [
  { _id: owner(1), counts: { contacts: 2 } },
  { _id: owner(2), counts: { contacts: 3 } },
];

async function lines(dir: string, file: string): Promise<Record<string, unknown>[]> {
  return (await readFile(join(dir, file), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('snapshot import from a mongodump directory', () => {
  it('writes one line per document, in source order, keeps what it cannot map as a marker the checks quarantine, and counts it all', async () => {
    const dump = await writeDump({ app: { contacts: { documents: contactDocs, gzip: true }, accounts: { documents: accounts } } });
    const outDir = join(await makeTemp(), 'snap');
    const source = await openDumpSource(dump);
    const report = await importSnapshot({ source, from: dump, map: contactsMap, outDir, snapshotId: 'from-dump' });

    const contacts = await lines(outDir, 'contacts.ndjson');
    expect(contacts.map((l) => l.recordId)).toEqual(contactDocs.map((d) => d._id.toHexString()));
    expect(contacts[0]).toEqual({
      userId: owner(1).toHexString(),
      recordId: '6000000000000000000000a1',
      updatedAt: '2009-09-30T18:02:11Z',
      data: { displayName: 'Ana', emails: [{ address: 'ana@example.com' }], organization: 'Danger' },
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(contacts[1].updatedAt).toBe('2009-09-30T18:03:00.500Z');
    expect(contacts[1].data).toMatchObject({ note: { 'restorectl:unmapped': 'Binary' } });
    expect(await lines(outDir, 'users.ndjson')).toEqual([
      { userId: owner(1).toHexString(), expected: { contacts: 2 } },
      { userId: owner(2).toHexString(), expected: { contacts: 3 } },
    ]);

    const contactsReport = report.collections.find((c) => c.collection === 'contacts')!;
    expect(contactsReport).toMatchObject({
      category: 'contacts',
      documentsRead: 4,
      linesWritten: 4,
      problemCount: 2,
      problems: { Binary: { 'data.note': 1 }, 'Int64 beyond ±(2^53−1)': { 'data.note': 1 } },
    });
    expect(contactsReport.examples[0]).toEqual({ kind: 'Binary', field: 'data.note', position: { file: join(dump, 'app', 'contacts.bson.gz'), offset: expect.any(Number) } });
    expect(report.totals).toEqual({ documentsRead: 6, linesWritten: 6, problems: 2 });
    expect(JSON.parse(await readFile(join(outDir, 'import-report.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));

    // The snapshot's own checks take it from here: the two marked lines and the nameless one are quarantined.
    const verified = await verifySnapshot(outDir);
    expect(verified.snapshotId).toBe('from-dump');
    expect(verified.categories.contacts).toMatchObject({ lines: 4, valid: 1, quarantined: 3 });
  });

  it("copies a photo's GridFS bytes into blobs/ and names a file the bucket lacks", async () => {
    const bytes = Buffer.from('a photo kept in GridFS, in three chunks');
    const fileId = new ObjectId('6000000000000000000000f1');
    const dump = await writeDump({
      app: {
        'fs.files': { documents: [{ _id: fileId, length: bytes.length, chunkSize: 16, uploadDate: new Date(0), filename: 'p.png' }] },
        'fs.chunks': { documents: [2, 0, 1].map((k) => ({ _id: new ObjectId(), files_id: fileId, n: k, data: new Binary(bytes.subarray(k * 16, (k + 1) * 16)) })) },
        photos: {
          documents: [
            { _id: 'p-1', owner: 'u-1', at: at('2009-09-30T18:02:11Z'), name: 'p.png', type: 'image/png', file: fileId },
            { _id: 'p-2', owner: 'u-1', at: at('2009-09-30T18:02:11Z'), name: 'q.png', type: 'image/png', file: new ObjectId('6000000000000000000000f2') },
          ],
        },
      },
    });
    const outDir = join(await makeTemp(), 'snap');
    const map: ImportMap = {
      format: 'restorectl-import-map/v1',
      users: { from: 'records' },
      categories: {
        photos: {
          collection: 'photos',
          userId: 'owner',
          recordId: '_id',
          updatedAt: 'at',
          data: { filename: 'name', mimeType: 'type' },
          blob: { gridfsBucket: 'fs', fileId: 'file' },
        },
      },
    };
    const report = await importSnapshot({ source: await openDumpSource(dump), from: dump, map, outDir });
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect((await lines(outDir, 'photos.ndjson'))[0].data).toEqual({ filename: 'p.png', mimeType: 'image/png', sha256: sha, bytes: bytes.length });
    expect(await readFile(join(outDir, 'blobs', sha))).toEqual(bytes);
    expect(await readdir(join(outDir, 'blobs'))).toEqual([sha]);
    expect(report.collections[0]).toMatchObject({ documentsRead: 2, linesWritten: 2, problems: { 'GridFS file missing': { 'blob (file)': 1 } } });
    expect((await verifySnapshot(outDir)).categories.photos).toMatchObject({ valid: 1, quarantined: 1 });
  });

  it('answers bad input with one line and exit 2 before writing, and a damaged dump with exit 1 and the report of what was read', async () => {
    const dump = await writeDump({ app: { contacts: { documents: contactDocs }, accounts: { documents: accounts } }, other: {} });
    const base = await makeTemp();
    const mapFile = join(base, 'map.json');
    await writeFile(mapFile, JSON.stringify(contactsMap));
    const run = (args: string[]) => cli(['snapshot', 'import', ...args]);

    const twoDbs = await run(['--from', dump, '--map', mapFile, join(base, 'a')]);
    expect([twoDbs.code, twoDbs.stderr.trim()]).toEqual([2, expect.stringMatching(/holds databases app, other: choose one with --db$/)]);
    const badMap = join(base, 'bad-map.json');
    await writeFile(badMap, JSON.stringify({ ...contactsMap, categories: { contacts: { ...contactsMap.categories.contacts, recordId: '' } } }));
    const mapError = await run(['--from', dump, '--db', 'app', '--map', badMap, join(base, 'b')]);
    expect([mapError.code, mapError.stderr.trim()]).toEqual([2, expect.stringMatching(/bad-map\.json: categories\.contacts\.recordId: /)]);
    await writeFile(badMap, JSON.stringify({ ...contactsMap, categories: { voicemail: contactsMap.categories.contacts } }));
    expect((await run(['--from', dump, '--db', 'app', '--map', badMap, join(base, 'b')])).stderr).toMatch(/categories\.voicemail/);
    await writeFile(badMap, JSON.stringify({ ...contactsMap, categories: { contacts: { ...contactsMap.categories.contacts, collection: 'people' } } }));
    const missing = await run(['--from', dump, '--db', 'app', '--map', badMap, join(base, 'c')]);
    expect([missing.code, missing.stderr.trim()]).toEqual([2, expect.stringMatching(/holds no collection people/)]);
    await expect(readdir(join(base, 'c'))).rejects.toMatchObject({ code: 'ENOENT' });
    const used = join(base, 'used');
    await mkdir(used);
    await writeFile(join(used, 'x'), '');
    expect((await run(['--from', dump, '--db', 'app', '--map', mapFile, used])).stderr).toMatch(/is not empty/);

    const good = await run(['--from', dump, '--db', 'app', '--map', mapFile, join(base, 'd'), '--json']);
    expect(good.code).toBe(0);
    expect((JSON.parse(good.stdout) as ImportReport).totals).toEqual({ documentsRead: 6, linesWritten: 6, problems: 2 });

    const full = bsonFile(contactDocs);
    const damaged = await writeDump({ app: { contacts: { raw: full.subarray(0, full.length - 5) }, accounts: { documents: accounts } } });
    const broken = await run(['--from', damaged, '--map', mapFile, join(base, 'e')]);
    expect(broken.code).toBe(1);
    expect(broken.stderr.trim().split('\n')).toEqual([expect.stringMatching(/contacts\.bson at byte \d+: truncated .*import-report\.json$/)]);
    const partial = JSON.parse(await readFile(join(base, 'e', 'import-report.json'), 'utf8')) as ImportReport;
    expect(partial.collections[0]).toMatchObject({ collection: 'contacts', documentsRead: 3, linesWritten: 3 });
    expect(partial.error).toMatch(/truncated/);
  });
});

describe('snapshot import in worker threads', () => {
  it('maps exactly as one thread does: the same files and report, and a damaged document named by its own offset', async () => {
    // Enough contacts for several runs of the dump reader, owners interleaved, problems in every run.
    const many = Array.from({ length: 3000 }, (_, i) => ({
      _id: new ObjectId(),
      owner: owner(i % 40),
      modifiedAt: new Date(Date.UTC(2009, 8, 1) + i * 1000),
      name: { display: `Contact ${i}` },
      note: i % 400 === 7 ? new Binary(Buffer.from('x')) : `note ${i} ${'x'.repeat(100)}`,
    }));
    const map: ImportMap = { ...contactsMap, users: { from: 'records' } };
    const base = await makeTemp();
    const mapFile = join(base, 'map.json');
    await writeFile(mapFile, JSON.stringify(map));
    const bytes = bsonFile(many);
    const dump = await writeDump({ app: { contacts: { raw: bytes } } });
    const imported = async (workers: number, from = dump) => {
      const outDir = join(base, `${workers}-${from === dump ? 'good' : 'damaged'}`);
      const run = await cli([
        'snapshot',
        'import',
        '--from',
        from,
        '--map',
        mapFile,
        outDir,
        '--workers',
        String(workers),
        '--json',
        '--snapshot-id',
        'same',
        '--taken-at',
        '2009-10-10T00:00:00Z',
      ]);
      const report = JSON.parse(await readFile(join(outDir, 'import-report.json'), 'utf8')) as ImportReport;
      return { run, outDir, report: { ...report, outDir: undefined } };
    };

    const one = await imported(0);
    const pool = await imported(2);
    expect([one.run.code, pool.run.code]).toEqual([0, 0]);
    expect(pool.report).toEqual(one.report);
    expect(one.report.collections[0]).toMatchObject({ documentsRead: 3000, linesWritten: 3000, problemCount: 8, problems: { Binary: { 'data.note': 8 } } });
    for (const file of ['contacts.ndjson', 'users.ndjson', 'manifest.json'])
      expect(await readFile(join(pool.outDir, file), 'utf8')).toBe(await readFile(join(one.outDir, file), 'utf8'));
    expect((await lines(pool.outDir, 'users.ndjson')).map((u) => u.userId)).toEqual(Array.from({ length: 40 }, (_, n) => owner(n).toHexString()));

    // A document deep in the file whose first element has no BSON type: the same error, the same partial report.
    const at = bsonFile(many.slice(0, 2500)).length;
    const damagedBytes = Buffer.from(bytes);
    damagedBytes[at + 4] = 0x7f;
    const damaged = await writeDump({ app: { contacts: { raw: damagedBytes } } });
    const broken = [await imported(0, damaged), await imported(2, damaged)];
    for (const b of broken) {
      expect([b.run.code, b.run.stderr.trim()]).toEqual([1, expect.stringMatching(new RegExp(`contacts\\.bson at byte ${at}: not a BSON document`))]);
      expect(b.report.collections[0].documentsRead).toBeLessThan(2500);
    }
    expect(broken[1].report).toEqual(broken[0].report);
  });
});

describe('snapshot import from a recovered database', () => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await connectStores(isolatedEnv('recovered'));
  });
  afterAll(async () => {
    await stores.target.dropDatabase();
    await stores.client.close();
  });

  it('round trip: a generated snapshot, stored as an application would, imports to the same records, and byte for byte as its dump does', async () => {
    const original = join(await makeTemp(), 'original');
    await generateSnapshot(original, { users: 25, seed: 'import', corruptRate: 0 });
    // The application's own shapes: ObjectId _ids, BSON dates, the record's fields in a payload, photos in GridFS.
    const backup = await sampleBackup(original);
    await loadSampleBackup(stores.target, backup);
    const { map } = backup;
    const uri = `${process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/'}`;
    const fromDb = join(await makeTemp(), 'from-db');
    const dbSource = await openDatabaseSource(uri, stores.target.databaseName);
    try {
      await importSnapshot({ source: dbSource, from: uri, map, outDir: fromDb, snapshotId: 'round-trip', takenAt: '2009-10-10T00:00:00Z' });
    } finally {
      await dbSource.close();
    }
    const fromDump = join(await makeTemp(), 'from-dump');
    // The same backup as a dump: its GridFS chunks out of order, as they may come.
    const dump = await writeDump({
      recovered: Object.fromEntries(
        Object.entries(backup.collections).map(([name, documents]) => [name, { documents: name === 'fs.chunks' ? [...documents].reverse() : documents }]),
      ),
    });
    await importSnapshot({ source: await openDumpSource(dump), from: dump, map, outDir: fromDump, snapshotId: 'round-trip', takenAt: '2009-10-10T00:00:00Z' });

    // And through the CLI, its documents mapped in worker threads.
    const mapFile = join(await makeTemp(), 'map.json');
    await writeFile(mapFile, JSON.stringify(map));
    const fromCli = join(await makeTemp(), 'from-cli');
    const cliRun = await cli([
      'snapshot',
      'import',
      '--from',
      uri,
      '--db',
      stores.target.databaseName,
      '--map',
      mapFile,
      fromCli,
      '--workers',
      '2',
      '--snapshot-id',
      'round-trip',
      '--taken-at',
      '2009-10-10T00:00:00Z',
    ]);
    expect(cliRun.code).toBe(0);

    for (const category of CATEGORIES) {
      const file = `${category}.ndjson`;
      expect(await readFile(join(fromDb, file), 'utf8')).toBe(await readFile(join(fromDump, file), 'utf8'));
      expect(await readFile(join(fromCli, file), 'utf8')).toBe(await readFile(join(fromDb, file), 'utf8'));
      // The same records as the original: users, ids, times, and data by its digest.
      const key = (l: Record<string, unknown>) => `${l.userId}|${l.recordId}|${l.updatedAt}|${l.sha256}`;
      expect((await lines(fromDb, file)).map(key)).toEqual((await lines(original, file)).map(key));
    }
    // The catalog of users too, with what each should have.
    expect(await lines(fromDb, 'users.ndjson')).toEqual(await lines(original, 'users.ndjson'));
    expect((await readdir(join(fromDb, 'blobs'))).sort()).toEqual((await readdir(join(original, 'blobs'))).sort());
    expect((await readdir(join(fromDump, 'blobs'))).sort()).toEqual((await readdir(join(original, 'blobs'))).sort());
    const verified = await verifySnapshot(fromDb);
    for (const category of CATEGORIES) expect([category, verified.categories[category].quarantined]).toEqual([category, 0]);
    expect(verified.categories.photos.valid).toBeGreaterThan(0);
  }, 120_000);
});

function makeTemp(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'restorectl-import-'));
}
