import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../domain/digest';
import { CATEGORY_TRAITS } from '../domain/category-traits';
import { checkBlob } from './blobs';

const photoBlobs = CATEGORY_TRAITS.photos.blob!;

async function snapshotWithBlobs(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'blobs-'));
  await mkdir(join(dir, 'blobs'));
  return dir;
}

describe('checkBlob', () => {
  const bytes = Buffer.from('a photo');
  const data = { sha256: sha256Hex(bytes), bytes: bytes.length };

  it('accepts a regular file that hashes to its name and has data.bytes bytes', async () => {
    const dir = await snapshotWithBlobs();
    await writeFile(join(dir, 'blobs', data.sha256), bytes);
    expect(await checkBlob(dir, photoBlobs, data)).toBeNull();
    expect(await checkBlob(dir, photoBlobs, { ...data, bytes: bytes.length + 1 })).toMatchObject({ code: 'blob-mismatch' });
    expect(await checkBlob(dir, photoBlobs, { ...data, bytes: bytes.length - 1 })).toMatchObject({ code: 'blob-mismatch', message: 'blob is larger than data.bytes' });
  });

  it('hashes a blob read in several pieces, and tells one byte changed at its end', async () => {
    const dir = await snapshotWithBlobs();
    const large = Buffer.alloc(200_000, 7);
    const named = { sha256: sha256Hex(large), bytes: large.length };
    await writeFile(join(dir, 'blobs', named.sha256), large);
    expect(await checkBlob(dir, photoBlobs, named)).toBeNull();
    large[large.length - 1] = 8;
    await writeFile(join(dir, 'blobs', named.sha256), large);
    expect(await checkBlob(dir, photoBlobs, named)).toMatchObject({ code: 'blob-mismatch', message: 'blob bytes do not hash to data.sha256' });
  });

  it('refuses a symbolic link, even to the right bytes', async () => {
    const dir = await snapshotWithBlobs();
    await writeFile(join(dir, 'elsewhere'), bytes);
    await symlink(join(dir, 'elsewhere'), join(dir, 'blobs', data.sha256));
    expect(await checkBlob(dir, photoBlobs, data)).toMatchObject({ code: 'blob-not-regular', message: expect.stringContaining('symbolic link') });
  });

  it('refuses a FIFO without waiting for a writer', async () => {
    const dir = await snapshotWithBlobs();
    execFileSync('mkfifo', [join(dir, 'blobs', data.sha256)]);
    expect(await checkBlob(dir, photoBlobs, data)).toMatchObject({ code: 'blob-not-regular', message: expect.stringContaining('not a regular file') });
  });

  it('says a blob is missing', async () => {
    expect(await checkBlob(await snapshotWithBlobs(), photoBlobs, data)).toMatchObject({ code: 'blob-missing' });
  });
});
