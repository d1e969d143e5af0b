import type { Command } from 'commander';
import { connectTemporal, temporalServerVersion } from '../../client/temporal';
import { loadEnv } from '../../config/env';
import { connectStores, storeServerVersion, withoutCredentials } from '../../store/mongo/connection';
import { packageVersion } from '../../stack/layout';
import { printResult } from '../output';

/** A server's version, or why it could not be asked: `version` answers for what it reaches. */
type ServerVersion = { address: string; version: string } | { address: string; unreachable: string };

async function ask(address: string, version: () => Promise<string>): Promise<ServerVersion> {
  try {
    return { address, version: await version() };
  } catch (err) {
    return { address, unreachable: (err as Error).message };
  }
}

/** `version`: restorectl's, Node's, and those of the servers it is configured to reach. */
export function registerVersionCommand(program: Command): void {
  program
    .command('version')
    .description('the versions of restorectl, Node.js and the servers it reaches (Temporal, the store); a server that does not answer is said so')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const env = loadEnv();
      const temporal = await ask(env.TEMPORAL_ADDRESS, async () => {
        const client = await connectTemporal(env);
        return temporalServerVersion(client).finally(() => client.connection.close());
      });
      const store = await ask(withoutCredentials(env.MONGODB_URI), async () => {
        const stores = await connectStores(env);
        return storeServerVersion(stores).finally(() => stores.client.close());
      });
      const report = { restorectl: packageVersion(), node: process.version, temporal, store };
      const line = (name: string, s: ServerVersion) =>
        `${name.padEnd(11)}${'version' in s ? s.version : 'unreachable'} at ${s.address}${'unreachable' in s ? `: ${s.unreachable}` : ''}`;
      printResult(opts, report, (r) => [`restorectl ${r.restorectl}`, `node       ${r.node}`, line('temporal', r.temporal), line('store', r.store)].join('\n'));
    });
}
