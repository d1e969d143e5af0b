import { defaultDataDir } from '../stack/layout';
import { stackEnv, stackStatus, stackUp } from '../stack/stack';
import { DEFAULT_BACKEND } from '../cli/commands/stack';

/**
 * Brings up the real local stack (Temporal dev server, FerretDB) for the tests, or
 * reuses the one already up in the same data folder. Tests get its address from the
 * environment; each test file uses its own databases and task queue.
 */
export default async function globalSetup(): Promise<void> {
  const dataDir = defaultDataDir();
  const before = await stackStatus(dataDir);
  const wasUp = before.services.length > 0 && before.services.every((s) => s.answers);
  const options = await stackUp({ dataDir, temporalPort: 7233, temporalUiPort: 8233, mongoPort: 27017, postgresPort: 54329, backend: DEFAULT_BACKEND }, (line) =>
    process.stderr.write(`[stack] ${line}\n`),
  );
  Object.assign(process.env, stackEnv(options));
  // Only a stack these tests started is theirs to stop.
  process.env.RESTORECTL_TEST_STARTED_STACK = wasUp ? '' : dataDir;
}
