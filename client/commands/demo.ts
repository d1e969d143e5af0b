import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadEnv } from '../../config/env';
import { snapshotFiles } from '../../snapshot/layout';
import { generateSnapshot } from '../../snapshot/generate';
import { CATEGORIES } from '../../domain/categories';
import { connectStores } from '../../store/connection';
import { createApplicationIndexes } from '../../store/live-indexes';
import { stackEnv, stackUp } from '../../stack/stack';
import { installRuntimeLogging } from '../../worker/runtime-logging';
import { createRestoreWorker } from '../../worker/worker';
import { startCampaign, waitForCampaign } from '../campaigns';
import { seedDemoLiveData } from '../demo-live-data';
import { printResult, sayer } from '../output';
import { positiveIntArg, rateArg } from '../parse';
import { campaignWatch, progressBar } from '../progress';
import { renderCampaign } from '../render';
import { connectTemporal } from '../temporal';
import { stackOptionsFrom, withStackOptions } from './stack';
import { categoriesArg } from './campaign';

/** `demo`: brings the local stack up itself; leaves it running. */
export function registerDemoCommand(program: Command): void {
  withStackOptions(program.command('demo'))
    .description('stack up, a synthetic snapshot, a worker and a campaign restoring contacts, then the report')
    .option('--users <n>', 'users in the synthetic snapshot', positiveIntArg, 1000)
    .option('--corrupt-rate <r>', 'share of broken lines in the snapshot', rateArg, 0.02)
    .option('--categories <list>', 'categories to restore', categoriesArg, ['contacts'])
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const say = sayer(opts);
      const stack = await stackUp(stackOptionsFrom(opts), say);
      const env = loadEnv({ ...process.env, ...stackEnv(stack) });
      const snapshotDir = join(stack.dataDir, 'demo-snapshots', `users-${opts.users}-corrupt-${opts.corruptRate}`);
      if (!existsSync(snapshotFiles.manifest(snapshotDir))) {
        say(`generating a snapshot of ${opts.users} users in ${snapshotDir}`);
        const bar = progressBar(opts, 'users', opts.users);
        await generateSnapshot(snapshotDir, { users: opts.users, seed: 'demo', corruptRate: opts.corruptRate, onProgress: (n) => bar.update(n) });
        bar.stop();
      }
      const stores = await connectStores(env);
      try {
        // As the application would have them (README, "The insert race").
        await createApplicationIndexes(stores.target, CATEGORIES);
        const live = await seedDemoLiveData(stores.target, snapshotDir);
        say(`live store: ${live.edited} contacts edited and ${live.reentered} re-entered since the outage`);
      } finally {
        await stores.client.close();
      }

      // The demo prints its own progress; the worker speaks up only for trouble.
      installRuntimeLogging(process.env.LOG_LEVEL ?? 'warn');
      const { worker, close } = await createRestoreWorker(env);
      const client = await connectTemporal(env);
      try {
        const campaignId = await startCampaign(client, env, { snapshotDir, categories: opts.categories });
        say(`campaign ${campaignId} started`);
        const watch = opts.json ? undefined : campaignWatch(opts);
        const report = await worker.runUntil(waitForCampaign(client, campaignId, watch?.update));
        watch?.stop();
        printResult(opts, report, (r) =>
          [
            renderCampaign(r),
            '',
            `ask about one user:   ./bin/restorectl user status u-0000001`,
            `what went wrong:      ./bin/restorectl failures ${r.campaignId}`,
            `the campaign:         ./bin/restorectl campaign status ${r.campaignId}`,
            `the Temporal UI:      http://127.0.0.1:${stack.temporalUiPort}`,
            `stop the stack:       ./bin/restorectl stack down`,
          ].join('\n'),
        );
      } finally {
        await client.connection.close();
        await close();
      }
    });
}
