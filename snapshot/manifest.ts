import { readFile } from 'node:fs/promises';
import { SnapshotFormatError } from '../domain/errors';
import { describeIssue, Manifest } from '../domain/record-schemas';
import { snapshotFiles } from './layout';

/** Reads and checks manifest.json; a snapshot without a valid one is unusable as a whole. */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(snapshotFiles.manifest(dir), 'utf8');
  } catch {
    throw new SnapshotFormatError(`${dir} is not a snapshot: manifest.json is missing or unreadable`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new SnapshotFormatError(`${dir}/manifest.json is not valid JSON`);
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) throw new SnapshotFormatError(`${dir}/manifest.json: ${describeIssue(parsed.error)}`);
  return parsed.data;
}
