import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BSON } from 'bson';
import { bsonFile, writeDump } from '../test/helpers/dump-builder';
import { type BsonRun, documentsOfRun, dumpOrigin, READ_BYTES, readDumpFile, readDumpRuns } from './bson-stream';

const docs = Array.from({ length: 50 }, (_, i) => ({ _id: i, text: 'x'.repeat(i * 100) }));

async function all(path: string) {
  const out = [];
  for await (const d of readDumpFile(path)) out.push(d);
  return out;
}

describe('readDumpFile', () => {
  it('reads every document of a plain and a gzipped file, with its offset', async () => {
    const dir = await writeDump({ app: { plain: { documents: docs }, zipped: { documents: docs, gzip: true } } });
    for (const file of ['plain.bson', 'zipped.bson.gz']) {
      const read = await all(join(dir, 'app', file));
      expect(read.map((r) => r.doc)).toEqual(docs);
      expect(read[1].offset).toBe(BSON.serialize(docs[0]).length);
    }
  });

  it('names the file and the byte offset of a damaged document, and never crashes or hangs', async () => {
    const bytes = bsonFile(docs.slice(0, 3));
    const second = BSON.serialize(docs[0]).length;
    const lying = Buffer.from(bytes);
    lying.writeInt32LE(2, second);
    const dir = await writeDump({
      app: {
        truncated: { raw: bytes.subarray(0, bytes.length - 7) },
        lying: { raw: lying },
        text: { raw: Buffer.from('{"not": "bson"}\n'.repeat(10)) },
      },
    });
    const third = second + BSON.serialize(docs[1]).length;
    await expect(all(join(dir, 'app', 'truncated.bson'))).rejects.toThrow(new RegExp(`truncated\\.bson at byte ${third}: truncated`));
    await expect(all(join(dir, 'app', 'lying.bson'))).rejects.toThrow(new RegExp(`lying\\.bson at byte ${second}: not a BSON document \\(its length prefix says 2 bytes\\)`));
    await expect(all(join(dir, 'app', 'text.bson'))).rejects.toMatchObject({
      name: 'BackupFormatError',
      message: expect.stringMatching(/text\.bson at byte 0: not a BSON document/),
    });
    const badGzip = join(dir, 'app', 'bad.bson.gz');
    await writeFile(badGzip, Buffer.concat([gzipSync(bytes).subarray(0, 20), Buffer.from('garbage')]));
    await expect(all(badGzip)).rejects.toMatchObject({ name: 'BackupFormatError', message: expect.stringMatching(/bad\.bson\.gz at byte \d+ of its uncompressed stream: /) });
  });

  it('holds one read at a time: runs of whole documents, back to back, none larger than a read and the document it cut', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ _id: i, body: 'y'.repeat(1000 + (i % 7) * 300) }));
    const largest = Math.max(...many.map((d) => BSON.serialize(d).length));
    const dir = await writeDump({ app: { big: { documents: many } } });
    const path = join(dir, 'app', 'big.bson');
    let next = 0;
    let runs = 0;
    let count = 0;
    for await (const run of readDumpRuns(path)) {
      expect(run.offset).toBe(next);
      expect(run.bytes.length).toBeLessThanOrEqual(READ_BYTES + largest);
      next += run.bytes.length;
      runs += 1;
      for (const { doc, offset } of documentsOfRun(run, dumpOrigin(path))) {
        expect([doc._id, offset! >= run.offset!]).toEqual([count, true]);
        count += 1;
      }
    }
    expect([count, next]).toEqual([many.length, bsonFile(many).length]);
    expect(runs).toBeGreaterThan(10);
  });

  it('finds a document that is not BSON inside a run, by its own offset', async () => {
    const bytes = bsonFile(docs.slice(0, 3));
    const second = BSON.serialize(docs[0]).length;
    const broken = Buffer.from(bytes);
    broken[second + 4] = 0x7f; // the first element's type byte: no BSON type
    const dir = await writeDump({ app: { broken: { raw: broken } } });
    const path = join(dir, 'app', 'broken.bson');
    const runs: BsonRun[] = [];
    for await (const run of readDumpRuns(path)) runs.push(run);
    expect(runs).toHaveLength(1);
    expect(() => [...documentsOfRun(runs[0], dumpOrigin(path))]).toThrow(new RegExp(`broken\\.bson at byte ${second}: not a BSON document`));
  });
});
