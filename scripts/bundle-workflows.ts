/**
 * Writes dist/workflow-bundle.js from the compiled workflows, for workers to load instead
 * of bundling at start (worker/workflow-bundle.ts). Run by scripts/bootstrap after tsc.
 */
import { writeWorkflowBundle } from '../worker/workflow-bundle';

writeWorkflowBundle().then(
  (path) => process.stderr.write(`bundled the workflows into ${path}\n`),
  (err: unknown) => {
    process.stderr.write(`bundle-workflows: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
