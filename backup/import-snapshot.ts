import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CATEGORIES, type Category } from '../domain/categories';
import { jcsSha256 } from '../domain/digest';
import { ImportFailedError, InputError } from '../domain/errors';
import { snapshotFiles } from '../snapshot/layout';
import { endStream, writeChunk } from '../snapshot/write-stream';
import { valueAtPath } from './bson-json';
import { type BsonRun, documentsOfRun, type RunOrigin } from './bson-stream';
import { storeBlob, type StoredBlob } from './gridfs-blobs';
import type { CategoryMap, ImportMap } from './import-map';
import { addTally, emptyTally, LineMapper, type MappedRun, mapRun, positionOf, type ProblemTally, RunLines } from './line-mapper';
import { defaultMapWorkers, type MappedAnswer, MapPool } from './map-pool';
import type { BackupSource } from './sources';

/** What became of one source collection. Every document read is one line written: `documentsRead` = `linesWritten`. */
export interface CollectionReport extends ProblemTally {
  collection: string;
  /** The file it became: a category's, or users.ndjson for a catalog of users. */
  category: Category | 'users';
  documentsRead: number;
  linesWritten: number;
}

/** `import-report.json` (docs/design.md §3b): what was read, written and not mapped, per collection; its counts add up. */
export interface ImportReport {
  format: 'restorectl-import-report/v1';
  from: string;
  outDir: string;
  snapshotId: string;
  collections: CollectionReport[];
  users: number;
  totals: { documentsRead: number; linesWritten: number; problems: number };
  /** Why the import stopped part-way: the report then says what was read before. */
  error?: string;
}

export interface ImportOptions {
  source: BackupSource;
  /** What `--from` named, for the report. */
  from: string;
  map: ImportMap;
  outDir: string;
  snapshotId?: string;
  takenAt?: string;
  outageStartedAt?: string;
  /** Worker threads that map documents into lines (0: this thread); {@link defaultMapWorkers} when not given. */
  workers?: number;
  /** Told the units the source has read (bytes of a dump, documents of a database) and its total. */
  onProgress?: (done: number, total: number) => void;
}

function collectionReport(collection: string, category: Category | 'users'): CollectionReport {
  return { collection, category, documentsRead: 0, linesWritten: 0, ...emptyTally() };
}

/** Characters of lines gathered before they are handed to the file: one write per run, not per line. */
const WRITE_RUN = 256 * 1024;

/** Writes lines to a file in runs, waiting when its buffer is full: memory holds a run, whatever the source's size. */
class LineWriter {
  private readonly stream: WriteStream;
  private run: string[] = [];
  private runLength = 0;
  constructor(path: string) {
    this.stream = createWriteStream(path);
  }
  /** Writes whole lines, each ending in a newline: text is gathered into runs, bytes written as they are (`flushed`: as {@link writeChunk}). */
  async write(lines: string | Uint8Array, flushed?: () => void): Promise<void> {
    if (typeof lines !== 'string') {
      await this.flush();
      await writeChunk(this.stream, lines, flushed);
      return;
    }
    this.run.push(lines);
    this.runLength += lines.length;
    if (this.runLength >= WRITE_RUN) await this.flush();
  }
  private async flush(): Promise<void> {
    const text = this.run.join('');
    this.run = [];
    this.runLength = 0;
    if (text) await writeChunk(this.stream, text);
  }
  async close(): Promise<void> {
    await this.flush();
    await endStream(this.stream);
  }
}

/** Where a source may assemble GridFS files while it imports: inside the snapshot's blobs/, removed at the end. */
function gridfsWorkDir(outDir: string): string {
  return join(snapshotFiles.blobs(outDir), '.gridfs');
}

/** Copies the GridFS file of an id into blobs/; null when the bucket has none. */
type BlobCopier = (fileId: unknown) => Promise<StoredBlob | null>;

/** Copies the bucket's file of an id into blobs/, where a content is kept once (storeBlob); nothing is held per file. */
async function blobCopier(source: BackupSource, bucket: string, outDir: string): Promise<BlobCopier> {
  const read = await source.gridfs(bucket, gridfsWorkDir(outDir));
  return async (fileId) => {
    const chunks = fileId === undefined || fileId === null ? null : await read(bucket, fileId);
    return chunks && storeBlob(outDir, chunks);
  };
}

/** Takes what a run became, in source order: writes its lines and counts them; `flushed` is told once the lines' bytes are in the file. */
type TakeRun = (mapped: MappedRun, tally: ProblemTally, flushed?: () => void) => Promise<void>;

/** Maps a run in this thread. */
async function mapHere(run: BsonRun, origin: RunOrigin, map: CategoryMap, take: TakeRun): Promise<void> {
  const tally = emptyTally();
  await take(mapRun(run, origin, map, tally), tally);
}

/**
 * Maps runs in the pool's workers, up to two per worker in flight (memory holds those runs),
 * and takes them in source order. When the source fails, the runs read before it are taken
 * first, as one thread would have: the report then counts all that was read.
 */
async function mapInPool(pool: MapPool, workers: number, runs: AsyncIterable<BsonRun>, origin: RunOrigin, map: CategoryMap, take: TakeRun): Promise<void> {
  const inFlight: Promise<MappedAnswer>[] = [];
  const takeFirst = async () => {
    const { mapped, tally, giveBack } = await inFlight.shift()!;
    await take(mapped, tally, giveBack);
  };
  const drain = async () => {
    while (inFlight.length > 0) await takeFirst();
  };
  const reading = runs[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<BsonRun>;
      try {
        next = await reading.next();
      } catch (err) {
        // The source failed, not the writing: what was read before it is still written and counted.
        await drain();
        throw err;
      }
      if (next.done) break;
      const mapping = pool.map(next.value, origin, map);
      // Awaited in its turn; until then a failure must not count as unhandled (it would end the process).
      mapping.catch(() => undefined);
      inFlight.push(mapping);
      if (inFlight.length >= 2 * workers) await takeFirst();
    }
    await drain();
  } finally {
    // Closes the source's file or cursor when mapping or writing failed before the end.
    await reading.return?.().catch(() => undefined);
  }
}

/** Maps runs of a collection with GridFS files in this thread, each file copied into blobs/ as its line is made. */
async function mapWithBlobs(runs: AsyncIterable<BsonRun>, origin: RunOrigin, map: CategoryMap, blobs: BlobCopier, take: TakeRun): Promise<void> {
  for await (const run of runs) {
    const tally = emptyTally();
    const mapper = new LineMapper(tally);
    const lines = new RunLines(run.bytes.length);
    for (const { doc, offset } of documentsOfRun(run, origin)) {
      lines.add(mapper.record(doc, map, () => positionOf(origin, offset, doc), await blobs(valueAtPath(doc, map.blob!.fileId))));
    }
    await take(lines.done(), tally);
  }
}

/** Refuses an OUT_DIR that holds anything: an import never mixes with another snapshot. */
async function checkOutDir(outDir: string): Promise<void> {
  const entries = await readdir(outDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new InputError(`cannot use ${outDir} for the snapshot: ${err.code === 'ENOTDIR' ? 'it is not a folder' : (err.code ?? err.message)}`);
  });
  if (entries.length > 0) throw new InputError(`${outDir} is not empty: choose a new folder for the snapshot`);
}

/**
 * Turns a backup into a restore-snapshot/v1 directory by the map (docs/design.md §3b). Every
 * source document of a mapped collection becomes one line of its category file, in source
 * order; a value that cannot be mapped is kept as a marker that §3's checks quarantine, and
 * counted in the report. Checks first, writing nothing, what makes the import bad input (a
 * map the backup does not fit, OUT_DIR not empty: InputError, exit 2); a failure once writing
 * has begun leaves the report of what was read and is an {@link ImportFailedError} (exit 1).
 */
export async function importSnapshot(options: ImportOptions): Promise<ImportReport> {
  const { source, map, outDir } = options;
  const categories = CATEGORIES.filter((c) => map.categories[c]);
  await checkOutDir(outDir);
  const catalog = 'collection' in map.users ? map.users : undefined;
  for (const category of categories) {
    const { collection, blob } = map.categories[category]!;
    await source.check(collection);
    if (blob) for (const part of ['files', 'chunks']) await source.check(`${blob.gridfsBucket}.${part}`);
  }
  if (catalog) await source.check(catalog.collection);

  const collections = [...categories.map((c) => map.categories[c]!.collection), ...(catalog ? [catalog.collection] : [])];
  let total = 0;
  for (const collection of collections) total += await source.size(collection);
  let done = 0;
  const onUnits = (n: number) => options.onProgress?.((done += n), total);

  const snapshotId = options.snapshotId ?? `import-${jcsSha256({ from: options.from, at: new Date().toISOString() }).slice(0, 12)}`;
  const report: ImportReport = {
    format: 'restorectl-import-report/v1',
    from: options.from,
    outDir,
    snapshotId,
    collections: [],
    users: 0,
    totals: { documentsRead: 0, linesWritten: 0, problems: 0 },
  };
  await mkdir(snapshotFiles.blobs(outDir), { recursive: true });
  try {
    /** Users the records name, in the order first named: users.ndjson when the map has no catalog. */
    const named = new Set<string>();
    const workers = options.workers ?? defaultMapWorkers();
    const pool = workers > 0 ? new MapPool(workers) : undefined;
    try {
      for (const category of categories) {
        const categoryMap = map.categories[category]!;
        const collection = collectionReport(categoryMap.collection, category);
        report.collections.push(collection);
        const out = new LineWriter(snapshotFiles.category(outDir, category));
        const take: TakeRun = async (mapped, tally, flushed) => {
          await out.write(mapped.lines, flushed);
          collection.documentsRead += mapped.documents;
          collection.linesWritten += mapped.documents;
          addTally(collection, tally);
          if (!catalog) for (const userId of mapped.userIds) named.add(userId);
        };
        try {
          const runs = source.runs(categoryMap.collection, onUnits);
          const origin = source.origin(categoryMap.collection);
          if (categoryMap.blob) await mapWithBlobs(runs, origin, categoryMap, await blobCopier(source, categoryMap.blob.gridfsBucket, outDir), take);
          else if (pool) await mapInPool(pool, workers, runs, origin, categoryMap, take);
          else for await (const run of runs) await mapHere(run, origin, categoryMap, take);
        } finally {
          await out.close();
        }
      }
    } finally {
      await pool?.close();
    }
    const users = new LineWriter(snapshotFiles.users(outDir));
    try {
      if (catalog) {
        const collection = collectionReport(catalog.collection, 'users');
        report.collections.push(collection);
        const mapper = new LineMapper(collection);
        const origin = source.origin(catalog.collection);
        for await (const run of source.runs(catalog.collection, onUnits)) {
          for (const { doc, offset } of documentsOfRun(run, origin)) {
            collection.documentsRead += 1;
            const position = () => positionOf(origin, offset, doc);
            const expected: Record<string, unknown> = {};
            for (const [category, path] of Object.entries(catalog.expected ?? {})) {
              const value = mapper.value(doc, path, `expected.${category}`, position);
              if (value !== undefined) expected[category] = value;
            }
            await users.write(`${JSON.stringify({ userId: mapper.id(doc, catalog.userId, 'userId', position), expected })}\n`);
            collection.linesWritten += 1;
          }
        }
        report.users = collection.linesWritten;
      } else {
        for (const userId of named) await users.write(`${JSON.stringify({ userId, expected: {} })}\n`);
        report.users = named.size;
      }
    } finally {
      await users.close();
    }
    await rm(gridfsWorkDir(outDir), { recursive: true, force: true });
    const manifest = {
      format: 'restore-snapshot/v1',
      snapshotId,
      takenAt: options.takenAt ?? new Date().toISOString(),
      ...(options.outageStartedAt ? { outageStartedAt: options.outageStartedAt } : {}),
    };
    await writeFile(snapshotFiles.manifest(outDir), `${JSON.stringify(manifest)}\n`);
  } catch (err) {
    report.error = (err as Error).message;
    throw new ImportFailedError(`the import stopped: ${report.error}; what was read is in ${join(outDir, 'import-report.json')}`, { cause: err });
  } finally {
    for (const c of report.collections) {
      report.totals.documentsRead += c.documentsRead;
      report.totals.linesWritten += c.linesWritten;
      report.totals.problems += c.problemCount;
    }
    await writeFile(join(outDir, 'import-report.json'), `${JSON.stringify(report, null, 2)}\n`);
  }
  return report;
}
