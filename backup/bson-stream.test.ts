import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BSON } from 'bson';
import { bsonFile, writeDump } from '../test/helpers/dump-builder';
import { readDumpFile } from './bson-stream';

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
    await expect(all(join(dir, 'app', 'text.bson'))).rejects.toMatchObject({ name: 'BackupFormatError', message: expect.stringMatching(/text\.bson at byte 0: not a BSON document/) });
    const badGzip = join(dir, 'app', 'bad.bson.gz');
    await writeFile(badGzip, Buffer.concat([gzipSync(bytes).subarray(0, 20), Buffer.from('garbage')]));
    await expect(all(badGzip)).rejects.toMatchObject({ name: 'BackupFormatError', message: expect.stringMatching(/bad\.bson\.gz at byte \d+ of its uncompressed stream: /) });
  });

  it('holds one document at a time: a file far larger than its documents is read document by document', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ _id: i, body: 'y'.repeat(1000) }));
    const dir = await writeDump({ app: { big: { documents: many } } });
    let count = 0;
    for await (const { doc } of readDumpFile(join(dir, 'app', 'big.bson'))) {
      expect(doc._id).toBe(count);
      count += 1;
    }
    expect(count).toBe(many.length);
  });
});
