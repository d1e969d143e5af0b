import { stackDown } from '../stack/stack';

export default async function globalTeardown(): Promise<void> {
  const dataDir = process.env.RESTORECTL_TEST_STARTED_STACK;
  if (dataDir) await stackDown(dataDir, (line) => process.stderr.write(`[stack] ${line}\n`));
}
