import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Document } from 'bson';
import { CATEGORIES, type Category } from '../domain/categories';
import { jcsSha256 } from '../domain/digest';
import { ImportFailedError, InputError } from '../domain/errors';
import { snapshotFiles } from '../snapshot/layout';
import { endStream, writeChunk } from '../snapshot/write-stream';
import { jsonOf, UNMAPPED, valueAtPath } from './bson-json';
import { storeBlob, type StoredBlob } from './gridfs-blobs';
import type { CategoryMap, FieldSource, ImportMap } from './import-map';
import type { BackupSource, SourcePosition } from './sources';

/** Positions of problems kept per collection: enough to find the first few in the backup. */
const EXAMPLES = 5;

/** What became of one source collection. Every document read is one line written: `documentsRead` = `linesWritten`. */
export interface CollectionReport {
  collection: string;
  /** The file it became: a category's, or users.ndjson for a catalog of users. */
  category: Category | 'users';
  documentsRead: number;
  linesWritten: number;
  /** Values that could not be mapped, by kind (the BSON type) and field of the line; the lines hold a marker there and are quarantined. */
  problems: Record<string, Record<string, number>>;
  problemCount: number;
  /** The first few problems, with where their documents are in the backup. */
  examples: { kind: string; field: string; position: SourcePosition }[];
}

/** `import-report.json` (DESIGN.md §3b): what was read, written and not mapped, per collection; its counts add up. */
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
  /** Told the units the source has read (bytes of a dump, documents of a database) and its total. */
  onProgress?: (done: number, total: number) => void;
}

function collectionReport(collection: string, category: Category | 'users'): CollectionReport {
  return { collection, category, documentsRead: 0, linesWritten: 0, problems: {}, problemCount: 0, examples: [] };
}

/** Maps documents into lines, noting each value that cannot be mapped in the collection's report. */
class LineMapper {
  constructor(private readonly report: CollectionReport) {}

  /** The JSON value `source` gives for `doc`, under `field` of the line; undefined where the document has none. */
  value(doc: Document, source: FieldSource, field: string, position: SourcePosition): unknown {
    if (typeof source !== 'string') return source.const;
    const raw = valueAtPath(doc, source);
    if (raw === undefined || raw === null) return undefined;
    const converted = jsonOf(raw);
    if (converted.problem === undefined) return converted.value;
    this.problem(converted.problem, field, position);
    return { [UNMAPPED]: converted.problem };
  }

  /** Counts a problem of `kind` in `field` of a line, keeping the first few with their position. */
  problem(kind: string, field: string, position: SourcePosition): void {
    const byField = (this.report.problems[kind] ??= {});
    byField[field] = (byField[field] ?? 0) + 1;
    this.report.problemCount += 1;
    if (this.report.examples.length < EXAMPLES) this.report.examples.push({ kind, field, position });
  }

  /** An id (userId, recordId): a number becomes its decimal string, as §3 wants ids as strings. */
  id(doc: Document, source: FieldSource, field: string, position: SourcePosition): unknown {
    const value = this.value(doc, source, field, position);
    return typeof value === 'number' ? String(value) : value;
  }

  /**
   * The record line of a document of `map`'s collection, with its digest. With `blobs` (a
   * map with `blob`), the document's GridFS file is copied into blobs/, and `data.sha256`
   * and `data.bytes` come from its bytes where the map names none.
   */
  async record(doc: Document, map: CategoryMap, position: SourcePosition, blobs?: BlobCopier): Promise<Record<string, unknown>> {
    const data: Record<string, unknown> = {};
    for (const [field, source] of Object.entries(map.data)) {
      const value = this.value(doc, source, `data.${field}`, position);
      if (value !== undefined) data[field] = value;
    }
    if (map.blob && blobs) {
      const stored = await blobs(valueAtPath(doc, map.blob.fileId));
      if (stored) {
        data.sha256 ??= stored.sha256;
        data.bytes ??= stored.bytes;
      } else this.problem('GridFS file missing', `blob (${map.blob.fileId})`, position);
    }
    const line: Record<string, unknown> = {
      userId: this.id(doc, map.userId, 'userId', position),
      recordId: this.id(doc, map.recordId, 'recordId', position),
      updatedAt: this.value(doc, map.updatedAt, 'updatedAt', position),
      data,
      sha256: jcsSha256(data),
    };
    for (const key of Object.keys(line)) if (line[key] === undefined) delete line[key];
    return line;
  }
}

/** Copies the GridFS file of an id into blobs/; null when the bucket has none. */
type BlobCopier = (fileId: unknown) => Promise<StoredBlob | null>;

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
  async write(line: unknown): Promise<void> {
    const text = `${JSON.stringify(line)}\n`;
    this.run.push(text);
    this.runLength += text.length;
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

/** Copies the bucket's file of an id into blobs/, where a content is kept once (storeBlob); nothing is held per file. */
async function blobCopier(source: BackupSource, bucket: string, outDir: string): Promise<BlobCopier> {
  const read = await source.gridfs(bucket, gridfsWorkDir(outDir));
  return async (fileId) => {
    const chunks = fileId === undefined || fileId === null ? null : await read(bucket, fileId);
    return chunks && storeBlob(outDir, chunks);
  };
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
 * Turns a backup into a restore-snapshot/v1 directory by the map (DESIGN.md §3b). Every
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
  const report: ImportReport = { format: 'restorectl-import-report/v1', from: options.from, outDir, snapshotId, collections: [], users: 0, totals: { documentsRead: 0, linesWritten: 0, problems: 0 } };
  await mkdir(snapshotFiles.blobs(outDir), { recursive: true });
  try {
    /** Users the records name, in the order first named: users.ndjson when the map has no catalog. */
    const named = new Set<string>();
    for (const category of categories) {
      const categoryMap = map.categories[category]!;
      const collection = collectionReport(categoryMap.collection, category);
      report.collections.push(collection);
      const mapper = new LineMapper(collection);
      const blobs = categoryMap.blob && (await blobCopier(source, categoryMap.blob.gridfsBucket, outDir));
      const out = new LineWriter(snapshotFiles.category(outDir, category));
      try {
        for await (const { doc, position } of source.documents(categoryMap.collection, onUnits)) {
          collection.documentsRead += 1;
          const line = await mapper.record(doc, categoryMap, position, blobs || undefined);
          await out.write(line);
          collection.linesWritten += 1;
          if (!catalog && typeof line.userId === 'string') named.add(line.userId);
        }
      } finally {
        await out.close();
      }
    }
    const users = new LineWriter(snapshotFiles.users(outDir));
    try {
      if (catalog) {
        const collection = collectionReport(catalog.collection, 'users');
        report.collections.push(collection);
        const mapper = new LineMapper(collection);
        for await (const { doc, position } of source.documents(catalog.collection, onUnits)) {
          collection.documentsRead += 1;
          const expected: Record<string, unknown> = {};
          for (const [category, path] of Object.entries(catalog.expected ?? {})) {
            const value = mapper.value(doc, path, `expected.${category}`, position);
            if (value !== undefined) expected[category] = value;
          }
          await users.write({ userId: mapper.id(doc, catalog.userId, 'userId', position), expected });
          collection.linesWritten += 1;
        }
        report.users = collection.linesWritten;
      } else {
        for (const userId of named) await users.write({ userId, expected: {} });
        report.users = named.size;
      }
    } finally {
      await users.close();
    }
    await rm(gridfsWorkDir(outDir), { recursive: true, force: true });
    const manifest = { format: 'restore-snapshot/v1', snapshotId, takenAt: options.takenAt ?? new Date().toISOString(), ...(options.outageStartedAt ? { outageStartedAt: options.outageStartedAt } : {}) };
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
