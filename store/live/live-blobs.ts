import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { type Db, GridFSBucket, ObjectId } from 'mongodb';
import type { BlobTrait } from '../../domain/category-traits';
import { SnapshotChangedError, SnapshotFileError, StoreUnavailableError } from '../../domain/errors';
import { openBlob } from '../../snapshot/blobs';

/** Who uploads: an attempt of an activity. Upload ids derive from it, so a later attempt finds what an earlier one left. */
export interface Uploader {
  /** Stable across the attempts of one activity (the workflow and activity ids). */
  key: string;
  /** 1-based attempt number. */
  attempt: number;
}

/** The GridFS file id an attempt uploads a blob under: the same for the same attempt, never shared with another uploader. */
export function uploadId(uploader: Uploader, attempt: number, sha256: string): ObjectId {
  return new ObjectId(createHash('sha256').update(`${uploader.key}\u0000${attempt}\u0000${sha256}`).digest().subarray(0, 12));
}

/**
 * Puts each blob into the GridFS bucket of its category once per distinct content (docs/design.md §4),
 * named by its sha256. Two batches may upload the same bytes at once: each upload is
 * complete on its own (GridFS writes the file entry after its chunks), and afterwards
 * every uploader keeps the entry with the lowest id and deletes the others, so all
 * converge on one file. An attempt that died mid-upload left chunks no entry names; the
 * next attempt deletes them. The blob is read only as a regular file of at most the
 * format's size, and its bytes are hashed on the way: a blob that changed since staging
 * checked it is not kept.
 */
export async function ensureBlobs(target: Db, trait: BlobTrait, snapshotDir: string, sha256s: Iterable<string>, uploader: Uploader): Promise<number> {
  const bucket = new GridFSBucket(target, { bucketName: trait.bucket });
  const chunks = target.collection(`${trait.bucket}.chunks`);
  let uploaded = 0;
  for (const sha256 of new Set(sha256s)) {
    for (let earlier = 1; earlier < uploader.attempt; earlier++) {
      const id = uploadId(uploader, earlier, sha256);
      if (!(await bucket.find({ _id: id }).limit(1).hasNext())) await chunks.deleteMany({ files_id: id });
    }
    if (await bucket.find({ filename: sha256 }).limit(1).hasNext()) continue;
    const blob = await openBlob(snapshotDir, trait, sha256);
    if (!blob.ok) throw new SnapshotFileError(`blob ${sha256} can no longer be read: ${blob.reason.message}`);
    const hash = createHash('sha256');
    const id = uploadId(uploader, uploader.attempt, sha256);
    await pipeline(
      async function* () {
        for await (const chunk of blob.bytes) {
          hash.update(chunk);
          yield chunk;
        }
      },
      bucket.openUploadStreamWithId(id, sha256),
    );
    if (hash.digest('hex') !== sha256) {
      await bucket.delete(id);
      throw new SnapshotChangedError(`blob ${sha256} changed after staging checked it: its bytes no longer hash to its name`);
    }
    uploaded += 1;
    // Keep a complete copy: one whose chunks an earlier attempt's clean-up removed under it is not.
    const copies = await bucket.find({ filename: sha256 }).toArray();
    const complete = [];
    for (const f of copies) if ((await chunks.countDocuments({ files_id: f._id })) === Math.ceil(f.length / f.chunkSize)) complete.push(f);
    if (complete.length === 0) throw new StoreUnavailableError(`blob ${sha256}: no complete copy in GridFS after upload`);
    const keep = complete.reduce((min, f) => ((f._id as ObjectId).toHexString() < (min._id as ObjectId).toHexString() ? f : min));
    for (const copy of copies) {
      if (copy !== keep) await bucket.delete(copy._id).catch(() => undefined); // another uploader may have deleted it first
    }
  }
  return uploaded;
}
