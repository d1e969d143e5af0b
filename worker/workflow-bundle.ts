import { readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundlePath } from '@temporalio/worker';

/** The compiled code (dist/) and the workflow bundle made from it, beside it. */
const DIST = join(__dirname, '..');
const BUNDLE_NAME = 'workflow-bundle.js';

/** A logger for webpack that says nothing: its chatter is no worker or test output. */
export const quietLogger = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Bundles the compiled workflows into dist/workflow-bundle.js (scripts/bootstrap does it
 * after each compile, the Dockerfile after its own). A worker that loads it spends neither
 * the seconds nor the hundred-odd MiB that webpack takes at start.
 */
export async function writeWorkflowBundle(dist = DIST): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve(join(dist, 'workflows')), logger: quietLogger });
  const path = join(dist, BUNDLE_NAME);
  await writeFile(`${path}.tmp`, code);
  await rename(`${path}.tmp`, path);
  return path;
}

/** The newest modification time of the compiled modules under `dir`, the bundle aside. */
async function newestModule(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestModule(path));
    else if (entry.name.endsWith('.js') && entry.name !== BUNDLE_NAME) newest = Math.max(newest, (await stat(path)).mtimeMs);
  }
  return newest;
}

/**
 * The prebuilt workflow bundle when it is at least as new as every compiled module, so it
 * holds the workflows as compiled now; undefined otherwise (none, or one left from an older
 * compile), and the worker bundles the workflows itself. Never a stale bundle: a worker
 * running older workflow code than it was deployed with would break running histories.
 */
export async function prebuiltWorkflowBundle(dist = DIST): Promise<WorkflowBundlePath | undefined> {
  const codePath = join(dist, BUNDLE_NAME);
  const bundled = await stat(codePath).then(
    (s) => s.mtimeMs,
    () => undefined,
  );
  if (bundled === undefined || bundled < (await newestModule(dist))) return undefined;
  return { codePath };
}
