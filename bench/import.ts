/**
 * Measures `snapshot import` from a mongodump directory against a raw read of the same dump
 * (every BSON document parsed, nothing else), at each size, with the peak resident memory of
 * each in a node of its own; then from a recovered database on the stack (MONGODB_URI)
 * against a raw `find()` of the same collection. Prints figures; asserts nothing.
 *
 *   node dist/bench/import.js [--sizes 200000,2000000] [--db-documents 50000] [--json]
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BSON, type Document, ObjectId } from 'bson';
import { MongoClient } from 'mongodb';
import { Command } from 'commander';
import { z } from 'zod';
import { readDumpFile } from '../backup/bson-stream';
import type { ImportMap } from '../backup/import-map';
import { importSnapshot } from '../backup/import-snapshot';
import { openDatabaseSource, openDumpSource } from '../backup/sources';
import { boundedIntArg, parseWith } from '../cli/parse';
import { loadEnv } from '../config/env';
import { endStream, writeChunk } from '../snapshot/write-stream';

const MAP: ImportMap = {
  format: 'restorectl-import-map/v1',
  users: { from: 'records' },
  categories: {
    contacts: {
      collection: 'contacts',
      userId: 'owner',
      recordId: '_id',
      updatedAt: 'modifiedAt',
      data: { displayName: 'name.display', givenName: 'name.given', emails: 'emails', phones: 'phones', organization: 'org' },
    },
  },
};

/** Contacts per user in the dump, as the generator's proportions give. */
const PER_USER = 11;

const BASE = Date.parse('2009-09-01T00:00:00Z');

/** The `i`-th contact, in an application's shapes. */
function contact(i: number): Document {
  return {
    _id: new ObjectId(),
    owner: new ObjectId(
      Math.floor(i / PER_USER)
        .toString(16)
        .padStart(24, '0'),
    ),
    modifiedAt: new Date(BASE + i * 1000),
    name: { display: `Contact ${i}`, given: `Given ${i % 997}` },
    emails: [{ label: 'work', address: `c${i}@example.com` }],
    phones: [{ number: `+1 555 ${String(i % 10_000).padStart(4, '0')}` }],
    org: i % 3 === 0 ? 'Danger' : null,
  };
}

/** Writes a dump of `docs` contacts, streamed. */
async function writeDump(dir: string, docs: number): Promise<void> {
  await mkdir(join(dir, 'app'), { recursive: true });
  const out = createWriteStream(join(dir, 'app', 'contacts.bson'));
  for (let i = 0; i < docs; i++) await writeChunk(out, BSON.serialize(contact(i)));
  await endStream(out);
}

/** Loads `docs` contacts into a fresh database of the store, as a recovered database would hold them. */
async function loadDatabase(uri: string, db: string, docs: number): Promise<void> {
  const client = await MongoClient.connect(uri);
  try {
    const contacts = client.db(db).collection('contacts');
    await contacts.drop().catch(() => undefined);
    for (let i = 0; i < docs; i += 1000) await contacts.insertMany(Array.from({ length: Math.min(1000, docs - i) }, (_, k) => contact(i + k)));
  } finally {
    await client.close();
  }
}

/** Drops the database the bench loaded. */
async function dropDatabase(uri: string, db: string): Promise<void> {
  const client = await MongoClient.connect(uri);
  await client
    .db(db)
    .dropDatabase()
    .finally(() => client.close());
}

/** The peak resident memory of this process, in MiB (VmHWM). */
async function peakMiB(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}

/** One measurement in this node: `raw` parses every document of the dump, `raw-db` finds every document of the database, `import` and `import-db` import into a fresh folder. */
async function child(kind: string, from: string, db: string | undefined): Promise<void> {
  const start = process.hrtime.bigint();
  let documents = 0;
  if (kind === 'raw') {
    for await (const _ of readDumpFile(join(from, 'app', 'contacts.bson'))) documents += 1;
  } else if (kind === 'raw-db') {
    const client = await MongoClient.connect(from);
    for await (const _ of client
      .db(db)
      .collection('contacts')
      .find({}, { sort: { _id: 1 } }))
      documents += 1;
    await client.close();
  } else {
    const outDir = await mkdtemp(join(tmpdir(), 'restorectl-bench-import-'));
    const source = kind === 'import-db' ? await openDatabaseSource(from, db) : await openDumpSource(from);
    const report = await importSnapshot({ source, from, map: MAP, outDir: join(outDir, 'snap'), snapshotId: 'bench' });
    await source.close();
    documents = report.totals.documentsRead;
    await rm(outDir, { recursive: true, force: true });
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({ documents, seconds, peakMiB: await peakMiB() }));
}

/** Runs a measurement in a node of its own, so that each peak is its own. */
function measure(kind: string, from: string, db?: string): { documents: number; seconds: number; peakMiB: number } {
  const run = spawnSync(process.execPath, [__filename, '--child', kind, from, ...(db ? [db] : [])], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`${kind} failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

const sizesArg = parseWith(
  z
    .string()
    .regex(/^\d+(,\d+)*$/)
    .transform((s) => s.split(',').map(Number)),
  'must be sizes such as 200000,2000000',
);

async function main(): Promise<void> {
  const program = new Command('bench-import')
    .option('--sizes <list>', 'documents in the dump', sizesArg, [200_000, 2_000_000])
    .option('--db-documents <n>', 'documents in the recovered database on the stack (0: skip it)', boundedIntArg(0, 10_000_000), 50_000)
    .option('--child <kind>', 'internal: one measurement, of the dump or URI given')
    .argument('[from]')
    .argument('[db]')
    .option('--json', 'machine-readable output')
    .parse();
  const opts = program.opts();
  if (opts.child) return child(opts.child, program.args[0], program.args[1]);
  const figures = [];
  for (const docs of opts.sizes as number[]) {
    const dump = await mkdtemp(join(tmpdir(), 'restorectl-bench-dump-'));
    try {
      process.stderr.write(`${docs} documents: writing the dump\n`);
      await writeDump(dump, docs);
      const raw = measure('raw', dump);
      const imported = measure('import', dump);
      const row = {
        documents: docs,
        rawDocumentsPerSecond: Math.round(raw.documents / raw.seconds),
        importDocumentsPerSecond: Math.round(imported.documents / imported.seconds),
        ratio: Number((raw.seconds / imported.seconds).toFixed(3)),
        importSeconds: Number(imported.seconds.toFixed(1)),
        microsecondsPerDocument: Number(((imported.seconds * 1e6) / imported.documents).toFixed(2)),
        rawPeakMiB: raw.peakMiB,
        importPeakMiB: imported.peakMiB,
      };
      figures.push(row);
      if (!opts.json) {
        process.stdout.write(
          `${docs} documents: raw read ${row.rawDocumentsPerSecond}/s, import ${row.importDocumentsPerSecond}/s (ratio ${row.ratio}), ${row.importSeconds} s, ${row.microsecondsPerDocument} µs per document, peak ${row.importPeakMiB} MiB (raw read ${row.rawPeakMiB} MiB)\n`,
        );
      }
    } finally {
      await rm(dump, { recursive: true, force: true });
    }
  }
  const growth = figures.length > 1 ? Number((figures[figures.length - 1].microsecondsPerDocument / figures[0].microsecondsPerDocument).toFixed(2)) : null;
  const database = opts.dbDocuments > 0 ? await measureDatabase(opts.dbDocuments) : null;
  if (opts.json) process.stdout.write(`${JSON.stringify({ sizes: figures, costGrowth: growth, database })}\n`);
  else {
    if (growth !== null) process.stdout.write(`cost per document grows ${growth}× from the smallest size to the largest\n`);
    if (database) {
      process.stdout.write(
        `${database.documents} documents in a database on the stack: raw find() ${database.rawDocumentsPerSecond}/s, import ${database.importDocumentsPerSecond}/s (ratio ${database.ratio}), peak ${database.importPeakMiB} MiB\n`,
      );
    }
  }
}

/** The import from a recovered database on the stack against a raw find() of it. */
async function measureDatabase(docs: number) {
  const uri = loadEnv().MONGODB_URI;
  const db = 'restorectl_bench_recovered';
  process.stderr.write(`${docs} documents: loading a database on the stack\n`);
  await loadDatabase(uri, db, docs);
  try {
    const raw = measure('raw-db', uri, db);
    const imported = measure('import-db', uri, db);
    return {
      documents: docs,
      rawDocumentsPerSecond: Math.round(raw.documents / raw.seconds),
      importDocumentsPerSecond: Math.round(imported.documents / imported.seconds),
      ratio: Number((raw.seconds / imported.seconds).toFixed(3)),
      importPeakMiB: imported.peakMiB,
    };
  } finally {
    await dropDatabase(uri, db);
  }
}

main().catch((err) => {
  process.stderr.write(`bench-import: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
