import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BSON, type Document } from 'bson';

/** A collection of a mongodump directory: its documents, or raw bytes for a damaged file. */
export interface DumpCollection {
  documents?: Document[];
  raw?: Buffer;
  /** Written as `<name>.bson.gz`, as `mongodump --gzip` does. */
  gzip?: boolean;
}

/** The bytes of a `.bson` file of these documents: their BSON, one after another. */
export function bsonFile(documents: Document[]): Buffer {
  return Buffer.concat(documents.map((d) => BSON.serialize(d)));
}

/**
 * Writes a mongodump-layout directory (`<db>/<collection>.bson[.gz]` beside its
 * `.metadata.json`) under the system temp folder, as mongodump would, and returns it.
 */
export async function writeDump(databases: Record<string, Record<string, DumpCollection>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'restorectl-dump-'));
  for (const [db, collections] of Object.entries(databases)) {
    await mkdir(join(dir, db));
    for (const [name, c] of Object.entries(collections)) {
      const bytes = c.raw ?? bsonFile(c.documents ?? []);
      await writeFile(join(dir, db, `${name}.bson${c.gzip ? '.gz' : ''}`), c.gzip && !c.raw ? gzipSync(bytes) : bytes);
      await writeFile(join(dir, db, `${name}.metadata.json`), JSON.stringify({ indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }], collectionName: name }));
    }
  }
  return dir;
}
