import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadEnv } from '../../config/env';
import { snapshotFiles } from '../../snapshot/layout';
import { generateSnapshot } from '../../snapshot/generate';
import { CATEGORIES } from '../../domain/categories';
import { connectStores, type Stores } from '../../store/mongo/connection';
import { importSnapshot } from '../../backup/import-snapshot';
import { loadSampleBackup, sampleBackup } from '../../backup/sample-backup';
import { openDatabaseSource } from '../../backup/sources';
import type { Env } from '../../config/env';
import { createApplicationIndexes } from '../../store/live/live-indexes';
import { stackEnv, stackUp } from '../../stack/stack';
import { installRuntimeLogging } from '../../worker/runtime-logging';
import { createRestoreWorker } from '../../worker/worker';
import { finalReport, startCampaign, waitForCampaign } from '../../client/campaigns';
import { withControl } from '../../client/control';
import { seedDemoLiveData } from '../demo-live-data';
import { printResult, sayer } from '../output';
import { positiveIntArg, rateArg } from '../parse';
import { campaignWatch, progressBar } from '../progress';
import { renderFinalReport, renderImportReport } from '../render';
import { connectTemporal } from '../../client/temporal';
import { stackOptionsFrom, withStackOptions } from './stack';
import { categoriesArg } from './campaign';

/** `demo`: brings the local stack up itself; leaves it running. */
export function registerDemoCommand(program: Command): void {
  withStackOptions(program.command('demo'))
    .description('stack up, a synthetic snapshot with damaged lines, live data edited since the outage, a worker and a campaign restoring all six categories, then the report')
    .option('--users <n>', 'users in the synthetic snapshot', positiveIntArg, 1000)
    .option('--corrupt-rate <r>', 'share of broken lines in the snapshot', rateArg, 0.02)
    .option('--categories <list>', 'categories to restore (default all six)', categoriesArg, [...CATEGORIES])
    .option(
      '--from-backup',
      "the whole path from a backup: the snapshot's records kept in a recovered database as an application keeps them (ObjectIds, BSON dates, photos in GridFS), imported with snapshot import, then restored",
    )
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
      let restoreFrom = snapshotDir;
      try {
        if (opts.fromBackup) restoreFrom = await importDemoBackup(stores, env, snapshotDir, join(stack.dataDir, 'demo-snapshots'), opts);
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
        const campaignId = await startCampaign(client, env, { snapshotDir: restoreFrom, categories: opts.categories });
        say(`campaign ${campaignId} started`);
        const watch = opts.json ? undefined : campaignWatch(opts);
        const report = await finalReport(env, await worker.runUntil(waitForCampaign(client, campaignId, watch?.update)));
        watch?.stop();
        const partialUser = await withControl(env, (c) => c.status.findOne({ campaignId, state: 'partial' }, { projection: { userId: 1 } }));
        const userId = partialUser?.userId ?? 'u-0000001';
        printResult(opts, report, (r) =>
          [
            renderFinalReport(r),
            '',
            'try next:',
            `  one user, as support sees it:    ./bin/restorectl user status ${userId}`,
            `  the campaign, per wave:          ./bin/restorectl campaign status ${r.campaignId}`,
            `  what went wrong, by cause:       ./bin/restorectl failures ${r.campaignId}`,
            `  re-run a user after a fix:       ./bin/restorectl replay ${r.campaignId} --user ${userId}   (with ./bin/restorectl worker running)`,
            `  its workflows in Temporal:       temporal workflow list --query "RestoreCampaignId='${r.campaignId}'"   (UI: http://127.0.0.1:${stack.temporalUiPort})`,
            `  stop the stack:                  ./bin/restorectl stack down`,
          ].join('\n'),
        );
      } finally {
        await client.connection.close();
        await close();
      }
    });
}

/** The recovered database the demo keeps its backup in. */
const RECOVERED_DB = 'recovered_backup';

/**
 * Keeps the snapshot's records in a recovered database as an application would
 * (backup/sample-backup.ts), imports them with `snapshot import` into a new folder under
 * `under`, says what the import found, and answers the folder.
 */
async function importDemoBackup(stores: Stores, env: Env, snapshotDir: string, under: string, opts: { json?: boolean }): Promise<string> {
  const say = sayer(opts);
  const recovered = stores.client.db(RECOVERED_DB);
  await recovered.dropDatabase();
  const backup = await sampleBackup(snapshotDir);
  await loadSampleBackup(recovered, backup);
  const outDir = join(under, `imported-${Date.now().toString(36)}`);
  say(`recovered database ${RECOVERED_DB}: the snapshot's records as the application kept them; importing it into ${outDir}`);
  const source = await openDatabaseSource(env.MONGODB_URI, RECOVERED_DB);
  try {
    const report = await importSnapshot({ source, from: source.description, map: backup.map, outDir });
    say(renderImportReport(report));
  } finally {
    await source.close();
  }
  return outDir;
}
