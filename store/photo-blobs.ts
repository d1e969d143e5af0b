import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { type Db, GridFSBucket, ObjectId } from 'mongodb';
import { snapshotFiles } from '../snapshot/layout';

export const PHOTO_BUCKET = 'photos';

/**
 * Puts each blob into the GridFS bucket `photos` once per distinct content (DESIGN.md §4),
 * named by its sha256. Two batches may upload the same bytes at once: each upload is
 * complete on its own (GridFS writes the file entry after its chunks), and afterwards
 * every uploader keeps the entry with the lowest id and deletes the others, so all
 * converge on one file. A crash mid-upload leaves only chunks no entry names.
 * Staging has already checked that each blob exists and matches its digest.
 */
export async function ensurePhotoBlobs(target: Db, snapshotDir: string, sha256s: Iterable<string>): Promise<number> {
  const bucket = new GridFSBucket(target, { bucketName: PHOTO_BUCKET });
  let uploaded = 0;
  for (const sha256 of new Set(sha256s)) {
    if (await bucket.find({ filename: sha256 }).limit(1).hasNext()) continue;
    await pipeline(createReadStream(snapshotFiles.blob(snapshotDir, sha256)), bucket.openUploadStream(sha256));
    uploaded += 1;
    const copies = await bucket.find({ filename: sha256 }).toArray();
    const keep = copies.reduce((min, f) => ((f._id as ObjectId).toHexString() < (min._id as ObjectId).toHexString() ? f : min));
    for (const copy of copies) {
      if (copy !== keep) await bucket.delete(copy._id).catch(() => undefined); // another uploader may have deleted it first
    }
  }
  return uploaded;
}
