/**
 * An upload that died half-way leaves GridFS chunks that no file entry names; the next
 * attempt of the same activity deletes them before it uploads, and leaves other
 * uploaders' chunks alone.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Binary, GridFSBucket } from 'mongodb';
import { sha256Hex } from '../domain/digest';
import { type Stores, connectStores } from '../store/mongo/connection';
import { CATEGORY_TRAITS } from '../domain/category-traits';
import { ensureBlobs, uploadId } from '../store/live/live-blobs';

const photoBlobs = CATEGORY_TRAITS.photos.blob!;
import { isolatedEnv } from './helpers/test-env';

describe('a photo upload retried after dying half-way', () => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await connectStores(isolatedEnv('upload'));
  });
  afterAll(async () => {
    await stores.target.dropDatabase();
    await stores.client.close();
  });

  it('deletes the chunks its earlier attempt left, keeps others, and stores the blob once', async () => {
    const bytes = Buffer.from('the bytes of a photo');
    const sha256 = sha256Hex(bytes);
    const dir = await mkdtemp(join(tmpdir(), 'upload-'));
    await mkdir(join(dir, 'blobs'));
    await writeFile(join(dir, 'blobs', sha256), bytes);
    const chunks = stores.target.collection(`${photoBlobs.bucket}.chunks`);
    const uploader = { key: 'wf-1/activity-1', attempt: 1 };
    const other = { key: 'wf-2/activity-1', attempt: 1 };
    // What attempt 1 of this activity, and another batch still uploading, left behind.
    await chunks.insertMany([
      { files_id: uploadId(uploader, 1, sha256), n: 0, data: new Binary(bytes.subarray(0, 5)) },
      { files_id: uploadId(other, 1, sha256), n: 0, data: new Binary(bytes.subarray(0, 5)) },
    ]);

    expect(await ensureBlobs(stores.target, photoBlobs, dir, [sha256], { ...uploader, attempt: 2 })).toBe(1);

    expect(await chunks.countDocuments({ files_id: uploadId(uploader, 1, sha256) })).toBe(0);
    expect(await chunks.countDocuments({ files_id: uploadId(other, 1, sha256) })).toBe(1);
    const files = await new GridFSBucket(stores.target, { bucketName: photoBlobs.bucket }).find({ filename: sha256 }).toArray();
    expect(files).toHaveLength(1);
    expect(files[0]._id.equals(uploadId(uploader, 2, sha256))).toBe(true);
  });
});
