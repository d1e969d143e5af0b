import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the run's scratch directory is, for the teardown: its environment is the setup's. */
const SCRATCH = 'RESTORECTL_TEST_SCRATCH';

/**
 * Jest's global setup: points `os.tmpdir()` (in this process, the test workers it starts next
 * and the CLIs they run) into one directory of the run, so that the snapshots, dumps and files
 * tests write there go with it, whichever test fails.
 */
export default async function scratchTmpdir(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'restorectl-tests-'));
  process.env[SCRATCH] = dir;
  process.env.TMPDIR = dir;
}

/** Jest's global teardown: removes the run's scratch directory. */
export async function removeScratchTmpdir(): Promise<void> {
  const dir = process.env[SCRATCH];
  if (dir) await rm(dir, { recursive: true, force: true });
}
