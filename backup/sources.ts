import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Filter, type GridFSFile, GridFSBucket, MongoClient, type ObjectId } from 'mongodb';
import { BackupFormatError, InputError } from '../domain/errors';
import { withoutCredentials } from '../store/mongo/connection';
import { type BsonRun, documentsOfRun, type DumpDocument, dumpOrigin, readDumpRuns, type RunOrigin } from './bson-stream';
import { assembleDumpBucket, type GridfsFileReader } from './gridfs-blobs';

/** Bytes of a database's documents packed into one run: runs of the size a dump's reads give. */
const RUN_BYTES = 1024 * 1024;

/** A backup to import from, read a collection at a time, in source order. */
export interface BackupSource {
  /** What it is, in words: the dump's database folder, or the database and the URI's host. */
  readonly description: string;
  /** What its progress counts: the dump's bytes, or a database's documents. */
  readonly unit: 'bytes' | 'documents';
  /** Throws {@link BackupFormatError} naming the collection when the backup does not hold it. */
  check(collection: string): Promise<void>;
  /** How many units a collection holds, for a progress bar. */
  size(collection: string): Promise<number>;
  /** Where the collection's documents come from, for errors and positions. */
  origin(collection: string): RunOrigin;
  /** The collection's documents as stored, in runs, in source order; `onUnits` is told the units read. */
  runs(collection: string, onUnits: (n: number) => void): AsyncIterable<BsonRun>;
  /** A reader of the GridFS bucket's files; `workDir` is the source's to assemble them in, if it needs to. */
  gridfs(bucket: string, workDir: string): Promise<GridfsFileReader>;
  close(): Promise<void>;
}

const DUMP_FILE = /^(.+)\.bson(\.gz)?$/;

/** The database folder of a mongodump directory: `dir` itself when it holds `.bson` files, else its one database folder, or `db`. */
async function databaseFolder(dir: string, db: string | undefined): Promise<string> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read the dump ${dir}: ${err.code === 'ENOENT' ? 'no such folder' : err.code === 'ENOTDIR' ? 'not a folder' : (err.code ?? err.message)}`);
  });
  if (entries.some((e) => e.isFile() && DUMP_FILE.test(e.name))) return dir;
  const databases = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  if (db !== undefined) {
    if (!databases.includes(db)) throw new BackupFormatError(`the dump ${dir} holds no database ${db} (it holds: ${databases.join(', ') || 'none'})`);
    return join(dir, db);
  }
  if (databases.length === 1) return join(dir, databases[0]);
  throw new BackupFormatError(
    databases.length === 0
      ? `${dir} is not a mongodump directory: no .bson file, no database folder`
      : `the dump ${dir} holds databases ${databases.join(', ')}: choose one with --db`,
  );
}

/** A mongodump directory (`<db>/<collection>.bson`, or `.bson.gz` with `--gzip`). */
export async function openDumpSource(dir: string, db?: string): Promise<BackupSource> {
  const folder = await databaseFolder(dir, db);
  const files = new Map<string, string>();
  for (const name of await readdir(folder)) {
    const match = DUMP_FILE.exec(name);
    if (match) files.set(match[1], join(folder, name));
  }
  const fileOf = (collection: string) => {
    const file = files.get(collection);
    if (!file)
      throw new BackupFormatError(
        `the dump ${folder} holds no collection ${collection} (no ${collection}.bson or ${collection}.bson.gz; it holds: ${[...files.keys()].sort().join(', ') || 'none'})`,
      );
    return file;
  };
  const source: BackupSource = {
    description: folder,
    unit: 'bytes',
    check: async (collection) => void fileOf(collection),
    size: async (collection) => (await stat(fileOf(collection))).size,
    origin: (collection) => dumpOrigin(fileOf(collection)),
    runs: (collection, onUnits) => readDumpRuns(fileOf(collection), onUnits),
    gridfs: (bucket, workDir) => assembleDumpBucket((collection) => parsedDocuments(source, collection), bucket, workDir),
    close: async () => undefined,
  };
  return source;
}

/** A database restored from a backup onto a recovery server: its collections read by cursors in `_id` order. */
export async function openDatabaseSource(uri: string, db?: string): Promise<BackupSource> {
  let client: MongoClient;
  try {
    client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
  } catch (err) {
    throw new InputError(`--from ${withoutCredentials(uri)} is not a MongoDB URI: ${(err as Error).message}`);
  }
  const host = client.options.hosts.map(String).join(',');
  await client.connect().catch(async (err: Error) => {
    await client.close().catch(() => undefined);
    throw new InputError(`the recovered database at ${host} does not answer: ${err.message}`);
  });
  const database = client.db(db);
  const names = new Set((await database.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  const check = (collection: string) => {
    if (!names.has(collection)) throw new BackupFormatError(`the database ${database.databaseName} at ${host} holds no collection ${collection}`);
  };
  return {
    description: `database ${database.databaseName} at ${host}`,
    unit: 'documents',
    check: async (collection) => check(collection),
    size: async (collection) => database.collection(collection).estimatedDocumentCount(),
    origin: (collection) => ({ database: database.databaseName, collection }),
    async *runs(collection, onUnits) {
      check(collection);
      // Raw: the documents stay BSON until they are mapped, wherever that is done.
      let packed: Buffer[] = [];
      let bytes = 0;
      for await (const doc of database.collection(collection).find({}, { sort: { _id: 1 }, raw: true })) {
        const buffer = doc as unknown as Buffer;
        packed.push(buffer);
        bytes += buffer.length;
        onUnits(1);
        if (bytes >= RUN_BYTES) {
          yield { bytes: Buffer.concat(packed, bytes), offset: null };
          packed = [];
          bytes = 0;
        }
      }
      if (bytes > 0) yield { bytes: Buffer.concat(packed, bytes), offset: null };
    },
    async gridfs(bucket) {
      const files = new GridFSBucket(database, { bucketName: bucket });
      return async (name, fileId) => {
        if (
          name !== bucket ||
          (
            await files
              .find({ _id: fileId } as Filter<GridFSFile>)
              .limit(1)
              .toArray()
          ).length === 0
        )
          return null;
        return files.openDownloadStream(fileId as ObjectId);
      };
    },
    close: () => client.close(),
  };
}

/** A collection's documents, parsed, in source order: for what an import reads in this thread (a dump's GridFS bucket). */
export async function* parsedDocuments(source: BackupSource, collection: string): AsyncGenerator<DumpDocument> {
  const origin = source.origin(collection);
  for await (const run of source.runs(collection, () => undefined)) yield* documentsOfRun(run, origin);
}
