/**
 * Photos carry their bytes: restored through real workflows, each distinct blob lands
 * once in the GridFS bucket `photos`, named by its sha256, before any document names it.
 */
import { GridFSBucket } from 'mongodb';
import { sha256Hex } from '../domain/digest';
import { controlCollections } from '../store/control/control-collections';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const T = '2009-09-30T18:02:11Z';
const png = (seed: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(64, seed)]);
const [shared, own, lost] = [png(1), png(2), png(3)];
const photo = (blob: Buffer, filename: string) => ({ filename, mimeType: 'image/png', bytes: blob.length, sha256: sha256Hex(blob) });

async function download(bucket: GridFSBucket, filename: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of bucket.openDownloadStreamByName(filename)) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

describe('a photos campaign on the real stack', () => {
  let h: Harness;
  let snapshotDir: string;

  beforeAll(async () => {
    h = await createHarness(isolatedEnv('photos'));
    snapshotDir = await writeSnapshot({
      users: [
        { userId: 'u-1', expected: { photos: 3 } },
        { userId: 'u-2', expected: { photos: 1 } },
      ],
      lines: {
        photos: [
          recordLine('u-1', 'p-1', T, photo(shared, 'beach.png')),
          recordLine('u-1', 'p-2', T, photo(own, 'cat.png')),
          recordLine('u-1', 'p-3', T, photo(lost, 'lost.png')),
          recordLine('u-2', 'p-9', T, photo(shared, 'same-beach.png')),
        ],
      },
      blobs: [shared, own],
    });
  });

  afterAll(async () => h?.close());

  it('uploads no blob and writes no document in a dry run, and says what the real run would restore', async () => {
    const plan = await h.runCampaign({ snapshotDir, categories: ['photos'], dryRun: true });
    expect(plan).toMatchObject({ state: 'completed', dryRun: true });
    expect(plan.categories.photos!.records).toMatchObject({ restored: 3, quarantined: 1 });
    for (const collection of ['photos', 'photos.files', 'photos.chunks'])
      expect([collection, await h.stores.target.collection(collection).countDocuments()]).toEqual([collection, 0]);
  });

  it('stores each distinct blob once, named by its digest, and restores the documents that name them', async () => {
    const report = await h.runCampaign({ snapshotDir, categories: ['photos'], batchSize: 1, concurrency: 2 });
    expect(report.categories.photos!.records).toMatchObject({ valid: 3, restored: 3, quarantined: 1 });
    const docs = await h.stores.target.collection('photos').find({}).sort({ recordId: 1 }).toArray();
    expect(docs.map((d) => [d.userId, d.recordId, d.data.sha256])).toEqual([
      ['u-1', 'p-1', sha256Hex(shared)],
      ['u-1', 'p-2', sha256Hex(own)],
      ['u-2', 'p-9', sha256Hex(shared)],
    ]);
    const bucket = new GridFSBucket(h.stores.target, { bucketName: 'photos' });
    const files = await bucket.find({}).toArray();
    expect(files.map((f) => f.filename).sort()).toEqual([sha256Hex(shared), sha256Hex(own)].sort());
    expect(await download(bucket, sha256Hex(shared))).toEqual(shared);
    expect(await download(bucket, sha256Hex(own))).toEqual(own);

    const quarantine = await controlCollections(h.stores.control).quarantine.find({ campaignId: report.campaignId }).toArray();
    expect(quarantine.map((q) => [q.line, q.reason.code, q.recordId])).toEqual([[3, 'blob-missing', 'p-3']]);
  });

  it('uploads nothing again on a second campaign', async () => {
    await h.runCampaign({ snapshotDir, categories: ['photos'] });
    const bucket = new GridFSBucket(h.stores.target, { bucketName: 'photos' });
    expect(await bucket.find({}).toArray()).toHaveLength(2);
    expect(await h.stores.target.collection('photos.chunks').countDocuments()).toBe(2);
  });
});
